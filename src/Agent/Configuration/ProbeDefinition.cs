using System.Security.Cryptography.X509Certificates;
using Agent.Common;
namespace Agent.Configuration;

/// <summary>One validated probe. Immutable; the connection string is a <see cref="Secret"/>.</summary>
internal sealed record ProbeDefinition(
    string Name,
    ProbeKind Kind,
    TimeSpan Timeout,
    TimeSpan Period,
    bool Critical,
    Secret? ConnectionString = null,
    Uri? Url = null,
    StatusRanges? ExpectedStatus = null,
    string? Host = null,
    int Port = 0,
    string? Send = null,
    string? Expect = null,
    int FailureThreshold = 1,
    int SuccessThreshold = 1,
    X509Certificate2Collection? CaCertificates = null,
    string? Service = null)
{
    public string KindLabel => Kind switch
    {
        ProbeKind.Redis => "redis",
        ProbeKind.Postgres => "postgres",
        ProbeKind.Http => "http",
        ProbeKind.Grpc => "grpc",
        _ => "tcp",
    };

    /// <summary>A result older than this counts as failed: a stuck scheduler must not keep /ready green.</summary>
    public TimeSpan StaleAfter => (3 * Period) + Timeout;
}
