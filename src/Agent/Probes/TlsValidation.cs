using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Agent.Probes;

/// <summary>
/// Validates a dependency's TLS certificate against the system trust store and, if configured,
/// a private CA (<c>Probes:&lt;name&gt;:CaFile</c>), and remembers the leaf certificate's notAfter
/// (for <c>agent_probe_tls_cert_expiry_seconds</c>) and why a certificate was refused (for the
/// <c>tls</c> description). Names are checked as usual; a private CA does not excuse a name mismatch.
/// </summary>
internal sealed class TlsValidation(X509Certificate2Collection? privateRoots)
{
    private long _notAfterTicks;
    private string? _lastProblem;

    /// <summary>The notAfter of the last leaf certificate seen, valid or not; null before any handshake.</summary>
    public DateTimeOffset? LastNotAfter => Volatile.Read(ref _notAfterTicks) is var t and not 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    /// <summary>Why the last refused certificate was refused; null if the last one was accepted.</summary>
    public string? LastProblem => Volatile.Read(ref _lastProblem);

    /// <summary>The last refusal as a <c>tls</c> failure described by its reason; null if the last certificate was accepted.</summary>
    public ProbeOutcome? Refusal() => LastProblem is { } problem ? ProbeOutcome.Failed(FailureReason.Tls, $"{FailureReason.Tls.Label()}: {problem}") : null;

    /// <summary>A failure classified <c>tls</c>, described by why this validation refused the certificate (when it did).</summary>
    public ProbeOutcome Explain(ProbeOutcome outcome) => outcome.Reason == FailureReason.Tls && Refusal() is { } refusal ? outcome with { Description = refusal.Description } : outcome;

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            Volatile.Write(ref _lastProblem, "the server sent no certificate");
            return false;
        }

        var leaf = Remember(certificate);
        var problem = Problem(leaf, chain, errors);
        Volatile.Write(ref _lastProblem, problem);
        return problem is null;
    }

    /// <summary>
    /// Records the leaf's notAfter and accepts any certificate the server sends, unverified:
    /// encryption without authentication, what PostgreSQL's <c>sslmode=require</c> (and prefer) means.
    /// </summary>
    public bool Accept(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            Volatile.Write(ref _lastProblem, "the server sent no certificate");
            return false;
        }

        Remember(certificate);
        Volatile.Write(ref _lastProblem, null);
        return true;
    }

    /// <summary>As <see cref="Validate"/> but without the name check (PostgreSQL's <c>sslmode=verify-ca</c>).</summary>
    public bool ValidateChainOnly(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) =>
        Validate(sender, certificate, chain, errors & ~SslPolicyErrors.RemoteCertificateNameMismatch);

    private X509Certificate2 Remember(X509Certificate certificate)
    {
        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        Volatile.Write(ref _notAfterTicks, new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero).UtcTicks);
        return leaf;
    }

    private string? Problem(X509Certificate2 leaf, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return null;
        }

        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return "the certificate does not name this host";
        }

        if (privateRoots is { Count: > 0 })
        {
            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.AddRange(privateRoots);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain is not null)
            {
                custom.ChainPolicy.ExtraStore.AddRange(chain.ChainPolicy.ExtraStore);
            }

            if (custom.Build(leaf))
            {
                return null;
            }

            return Describe(custom);
        }

        return chain is not null ? Describe(chain) : "the certificate is not trusted";
    }

    private static string Describe(X509Chain chain)
    {
        var flags = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
        if ((flags & X509ChainStatusFlags.NotTimeValid) != 0)
        {
            return "the certificate has expired or is not yet valid";
        }

        if ((flags & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0)
        {
            return "the certificate is not signed by a trusted CA (set CaFile for a private CA)";
        }

        return $"the certificate chain is invalid ({flags})";
    }
}
