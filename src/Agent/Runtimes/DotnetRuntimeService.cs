using Agent.Configuration;
using Agent.Sampling;

namespace Agent.Runtimes;

/// <summary>
/// Opens one EventPipe session per .NET target (every named or discovered target with a process):
/// looks at the sampling loop's last snapshot (memory only: no /proc or /tmp scan of its own) every
/// quarter interval and starts a <see cref="DotnetTargetSession"/> for each target that has a
/// process and no follower yet. A follower ends itself when its process goes away or is replaced,
/// removing only its own target's counters; the next look starts a new one for the new process.
/// Listen mode (<c>Runtime:Dotnet:DiagnosticPort</c>) is one port, so it serves the primary target only.
/// </summary>
internal sealed class DotnetRuntimeService(
    RuntimeSettings runtime,
    SamplingOptions sampling,
    TargetSnapshotStore target,
    DotnetTargetSessionFactory sessions) : BackgroundService
{
    private readonly TimeSpan _look = sampling.Interval / 4;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!runtime.Dotnet.Enabled)
        {
            return;
        }

        var roster = new SessionRoster();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                foreach (var name in roster.Reconcile(Wanted(target.Current, runtime.Dotnet.DiagnosticPort is not null)))
                {
                    roster.Started(name, sessions.Create(name).RunAsync(stoppingToken));
                }

                await Task.Delay(_look, sessions.Time, stoppingToken);
            }
        }
        finally
        {
            await Task.WhenAll(roster.Running()).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>The targets a follower serves: every one; in listen mode (one port) the primary only.</summary>
    internal static IEnumerable<TargetSnapshot> Followed(SamplingSnapshot snapshot, bool listen) =>
        listen ? snapshot.Primary is { } primary ? [primary] : [] : snapshot.Targets;

    /// <summary>The targets that should have a follower now: the followed ones with a process.</summary>
    internal static IEnumerable<string> Wanted(SamplingSnapshot snapshot, bool listen) =>
        Followed(snapshot, listen).Where(t => t.Sample is not null).Select(t => t.Name);
}
