using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Agent.Probes;
using Agent.Tests.Shared;

namespace Agent.Tests.Probes;

/// <summary>
/// The certificate decision every TLS probe makes, fed certificates made here (a private CA, a
/// server certificate it signs, an expired one, another CA) and the policy errors the TLS stack
/// reports; the chains are built by .NET's X509Chain, not by the code under test.
/// </summary>
public sealed class TlsValidationTests : IDisposable
{
    private readonly TestCertificates _ca = new();
    private readonly TestCertificates _otherCa = new("another-ca");
    private readonly X509Certificate2 _valid;
    private readonly X509Certificate2 _expired;

    public TlsValidationTests()
    {
        _valid = _ca.Valid();
        _expired = _ca.Expired();
    }

    public void Dispose()
    {
        _valid.Dispose();
        _expired.Dispose();
        _ca.Dispose();
        _otherCa.Dispose();
    }

    private static X509Chain SystemChain(X509Certificate2 leaf)
    {
        var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.Build(leaf);
        return chain;
    }

    [Fact]
    public void Before_any_handshake_nothing_is_known()
    {
        var v = new TlsValidation(null);

        Assert.Null(v.LastNotAfter);
        Assert.Null(v.LastProblem);
        Assert.Null(v.Refusal());
    }

    [Fact]
    public void No_errors_accepts_and_remembers_the_leafs_not_after()
    {
        var v = new TlsValidation(null);

        Assert.True(v.Validate(this, _valid, null, SslPolicyErrors.None));

        Assert.Null(v.LastProblem);
        Assert.Null(v.Refusal());
        Assert.Equal(new DateTimeOffset(_valid.NotAfter.ToUniversalTime(), TimeSpan.Zero), v.LastNotAfter);
    }

    [Fact]
    public void No_certificate_is_refused_by_validate_and_by_accept()
    {
        var v = new TlsValidation(null);
        Assert.False(v.Validate(this, null, null, SslPolicyErrors.RemoteCertificateNotAvailable));
        Assert.Equal("the server sent no certificate", v.LastProblem);
        Assert.Null(v.LastNotAfter);

        var a = new TlsValidation(null);
        Assert.False(a.Accept(this, null, null, SslPolicyErrors.RemoteCertificateNotAvailable));
        Assert.Equal("the server sent no certificate", a.LastProblem);
    }

    [Fact]
    public void A_private_ca_in_ca_file_makes_its_certificates_trusted()
    {
        using var chain = SystemChain(_valid);
        var v = new TlsValidation([_ca.Ca]);

        Assert.True(v.Validate(this, _valid, chain, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.Null(v.LastProblem);
    }

    [Fact]
    public void A_private_ca_does_not_excuse_a_name_mismatch()
    {
        using var chain = SystemChain(_valid);
        var v = new TlsValidation([_ca.Ca]);

        Assert.False(v.Validate(this, _valid, chain, SslPolicyErrors.RemoteCertificateNameMismatch));
        Assert.Equal("the certificate does not name this host", v.LastProblem);
        Assert.False(v.Validate(this, _valid, chain, SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.Equal("the certificate does not name this host", v.LastProblem);
    }

    [Fact]
    public void Chain_only_validation_ignores_the_name_but_not_the_chain()
    {
        using var chain = SystemChain(_valid);
        var trusted = new TlsValidation([_ca.Ca]);
        var untrusted = new TlsValidation([_otherCa.Ca]);

        Assert.True(trusted.ValidateChainOnly(this, _valid, chain, SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.True(trusted.ValidateChainOnly(this, _valid, chain, SslPolicyErrors.RemoteCertificateNameMismatch));
        Assert.False(untrusted.ValidateChainOnly(this, _valid, chain, SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.Equal("the certificate is not signed by a trusted CA (set CaFile for a private CA)", untrusted.LastProblem);
    }

    [Fact]
    public void Another_ca_is_not_trusted_and_the_problem_says_to_set_ca_file()
    {
        using var chain = SystemChain(_valid);
        var v = new TlsValidation([_otherCa.Ca]);

        Assert.False(v.Validate(this, _valid, chain, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.Equal("the certificate is not signed by a trusted CA (set CaFile for a private CA)", v.LastProblem);
        // The leaf is remembered, refused or not: its expiry is still worth a gauge.
        Assert.Equal(new DateTimeOffset(_valid.NotAfter.ToUniversalTime(), TimeSpan.Zero), v.LastNotAfter);
    }

    [Fact]
    public void A_ca_of_the_same_name_but_another_key_is_an_invalid_chain_with_its_flags()
    {
        using var impostor = new TestCertificates(); // same subject as the issuer, another key
        using var chain = SystemChain(_valid);
        var v = new TlsValidation([impostor.Ca]);

        Assert.False(v.Validate(this, _valid, chain, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.StartsWith("the certificate chain is invalid (", v.LastProblem, StringComparison.Ordinal);
        Assert.Contains(nameof(X509ChainStatusFlags.NotSignatureValid), v.LastProblem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expired_certificate_of_the_private_ca_is_refused_as_expired()
    {
        using var chain = SystemChain(_expired);
        var v = new TlsValidation([_ca.Ca]);

        Assert.False(v.Validate(this, _expired, chain, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.Equal("the certificate has expired or is not yet valid", v.LastProblem);
        Assert.True(v.LastNotAfter < DateTimeOffset.UtcNow);
    }

    [Fact]
    public void Without_ca_file_the_systems_chain_says_why_and_without_a_chain_it_is_not_trusted()
    {
        using var untrusted = SystemChain(_valid);
        using var expired = SystemChain(_expired);
        var v = new TlsValidation(null);

        Assert.False(v.Validate(this, _valid, untrusted, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.Equal("the certificate is not signed by a trusted CA (set CaFile for a private CA)", v.LastProblem);
        Assert.False(v.Validate(this, _expired, expired, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.Equal("the certificate has expired or is not yet valid", v.LastProblem);
        Assert.False(v.Validate(this, _valid, null, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.Equal("the certificate is not trusted", v.LastProblem);
        // An empty CaFile collection is no private CA: the system's verdict stands.
        var empty = new TlsValidation([]);
        Assert.False(empty.Validate(this, _valid, untrusted, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.Equal("the certificate is not signed by a trusted CA (set CaFile for a private CA)", empty.LastProblem);
    }

    [Fact]
    public void The_servers_intermediates_are_used_when_building_with_the_private_ca()
    {
        // CaFile holds only the root; the server sends the intermediate that signed its certificate.
        using var rootKey = RSA.Create(2048);
        using var root = Ca("CN=root", rootKey, null, null);
        using var intermediateKey = RSA.Create(2048);
        using var intermediate = Ca("CN=intermediate", intermediateKey, root, rootKey);
        using var leafKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", leafKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var leaf = request.Create(intermediate.SubjectName, X509SignatureGenerator.CreateForRSA(intermediateKey, RSASignaturePadding.Pkcs1), DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), [1, 2, 3]);
        using var sent = new X509Chain();
        sent.ChainPolicy.ExtraStore.Add(intermediate);
        sent.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        sent.Build(leaf);
        using var without = new X509Chain();
        without.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        without.Build(leaf);

        Assert.True(new TlsValidation([root]).Validate(this, leaf, sent, SslPolicyErrors.RemoteCertificateChainErrors));
        var v = new TlsValidation([root]);
        Assert.False(v.Validate(this, leaf, without, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.Equal("the certificate is not signed by a trusted CA (set CaFile for a private CA)", v.LastProblem);
    }

    private static X509Certificate2 Ca(string name, RSA key, X509Certificate2? issuer, RSA? issuerKey)
    {
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var (from, to) = (DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddYears(1));
        return issuer is null
            ? request.CreateSelfSigned(from, to)
            : request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForRSA(issuerKey!, RSASignaturePadding.Pkcs1), from, to, [4, 5, 6]);
    }

    [Fact]
    public void Accept_takes_any_certificate_unverified_and_clears_an_earlier_problem()
    {
        var v = new TlsValidation([_otherCa.Ca]);
        Assert.False(v.Validate(this, _expired, null, SslPolicyErrors.RemoteCertificateNameMismatch));
        Assert.NotNull(v.LastProblem);

        Assert.True(v.Accept(this, _expired, null, SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch));

        Assert.Null(v.LastProblem);
        Assert.Equal(new DateTimeOffset(_expired.NotAfter.ToUniversalTime(), TimeSpan.Zero), v.LastNotAfter);
    }

    [Fact]
    public void A_plain_x509certificate_is_read_as_its_leaf()
    {
#pragma warning disable SYSLIB0057 // the TLS callback's declared type: a base X509Certificate must work too
        using var plain = new X509Certificate(_valid.RawData);
#pragma warning restore SYSLIB0057
        var v = new TlsValidation(null);

        Assert.True(v.Validate(this, plain, null, SslPolicyErrors.None));
        Assert.Equal(new DateTimeOffset(_valid.NotAfter.ToUniversalTime(), TimeSpan.Zero), v.LastNotAfter);
    }

    [Fact]
    public void Refusal_and_explain_describe_a_tls_failure_by_the_last_problem_only()
    {
        var v = new TlsValidation(null);
        var tls = ProbeOutcome.Failed(FailureReason.Tls, "tls: AuthenticationException: remote certificate invalid");
        var refused = ProbeOutcome.Failed(FailureReason.Refused, "refused: connection refused");

        Assert.Same(tls, v.Explain(tls)); // nothing refused yet

        v.Validate(this, _valid, null, SslPolicyErrors.RemoteCertificateNameMismatch);
        var refusal = v.Refusal();
        Assert.NotNull(refusal);
        Assert.False(refusal.Healthy);
        Assert.Equal(FailureReason.Tls, refusal.Reason);
        Assert.Equal("tls: the certificate does not name this host", refusal.Description);
        Assert.Equal("tls: the certificate does not name this host", v.Explain(tls).Description);
        Assert.Equal(FailureReason.Tls, v.Explain(tls).Reason);
        Assert.Same(refused, v.Explain(refused)); // another reason keeps its own description

        v.Validate(this, _valid, null, SslPolicyErrors.None);
        Assert.Null(v.Refusal());
        Assert.Same(tls, v.Explain(tls));
    }
}
