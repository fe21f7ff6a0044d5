using System.Collections.Concurrent;

namespace Agent.Probes;

/// <summary>
/// Checks cancelled at their deadline that are still running (their client ignored the token),
/// per probe: kept by the runners, read by <c>agent_probe_abandoned_checks</c>. A check leaves the
/// count when it finally ends, however it ends.
/// </summary>
internal sealed class AbandonedChecks
{
    private readonly ConcurrentDictionary<string, int> _running = new(StringComparer.Ordinal);

    /// <summary>Counts <paramref name="work"/> against <paramref name="probe"/> until it ends.</summary>
    public void Track(string probe, Task work)
    {
        _running.AddOrUpdate(probe, 1, static (_, n) => n + 1);
        _ = work.ContinueWith(
            static (_, state) =>
            {
                var (self, name) = ((AbandonedChecks, string))state!;
                self._running.AddOrUpdate(name, 0, static (_, n) => n - 1);
            },
            (this, probe),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Abandoned checks of <paramref name="probe"/> still running.</summary>
    public int Of(string probe) => _running.GetValueOrDefault(probe);
}
