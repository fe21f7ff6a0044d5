using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Agent.Tests.Shared;

/// <summary>A private CA made in the test, and server certificates it signs for 127.0.0.1.</summary>
internal sealed class TestCertificates : IDisposable
{
    private readonly RSA _caKey = RSA.Create(2048);

    public TestCertificates(string name = "agent-test-ca")
    {
        var request = new CertificateRequest($"CN={name}", _caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddYears(1));
    }

    public X509Certificate2 Ca { get; }

    /// <summary>Writes the CA certificate as PEM (what <c>Probes:&lt;name&gt;:CaFile</c> takes) and returns the path.</summary>
    public string WriteCaPem(string directory)
    {
        var path = Path.Combine(directory, "ca.pem");
        File.WriteAllText(path, Ca.ExportCertificatePem());
        return path;
    }

    /// <summary>Writes a server certificate and its private key as PEM files (what redis-server takes); returns both paths.</summary>
    public static (string Certificate, string Key) WritePem(X509Certificate2 certificate, string directory, string name)
    {
        var cert = Path.Combine(directory, name + ".crt");
        var key = Path.Combine(directory, name + ".key");
        File.WriteAllText(cert, certificate.ExportCertificatePem());
        using var rsa = certificate.GetRSAPrivateKey() ?? throw new InvalidOperationException("no RSA key");
        File.WriteAllText(key, rsa.ExportPkcs8PrivateKeyPem());
        return (cert, key);
    }

    /// <summary>The TLS tests' valid server certificate: from a day ago to 20 days and 3 hours ahead.</summary>
    public X509Certificate2 Valid()
    {
        var now = DateTimeOffset.UtcNow;
        return Server(now.AddDays(-1), now.AddDays(20).AddHours(3));
    }

    /// <summary>The TLS tests' expired server certificate: valid from 60 days ago until two days ago.</summary>
    public X509Certificate2 Expired()
    {
        var now = DateTimeOffset.UtcNow;
        return Server(now.AddDays(-60), now.AddDays(-2));
    }

    /// <summary>
    /// A server certificate for 127.0.0.1 and localhost (or, with <paramref name="onlyName"/>, for that
    /// DNS name alone), with its private key, valid in the given window.
    /// </summary>
    public X509Certificate2 Server(DateTimeOffset notBefore, DateTimeOffset notAfter, string? onlyName = null)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={onlyName ?? "127.0.0.1"}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        if (onlyName is null)
        {
            san.AddIpAddress(IPAddress.Loopback);
            san.AddDnsName("localhost");
        }
        else
        {
            san.AddDnsName(onlyName);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(12);
        using var signed = request.Create(Ca.SubjectName, X509SignatureGenerator.CreateForRSA(_caKey, RSASignaturePadding.Pkcs1), notBefore, notAfter, serial);
        using var withKey = signed.CopyWithPrivateKey(key);
        // Through PKCS#12 so that the key is usable by the TLS stack on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    public void Dispose()
    {
        Ca.Dispose();
        _caKey.Dispose();
    }
}
