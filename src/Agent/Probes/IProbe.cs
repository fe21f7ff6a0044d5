using Agent.Configuration;

namespace Agent.Probes;

/// <summary>
/// One dependency check. Implementations keep one long-lived client (a connection leak per run
/// is the classic failure of health checks) and should honour the token, but the scheduler does
/// not rely on that: it stops waiting at the deadline whatever the client does.
/// </summary>
internal interface IProbe : IAsyncDisposable
{
    ProbeDefinition Definition { get; }

    /// <summary>Strings that must never appear in any output (connection string, password).</summary>
    IReadOnlyCollection<string> Secrets { get; }

    Task<ProbeOutcome> CheckAsync(CancellationToken cancellationToken);
}
