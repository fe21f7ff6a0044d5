using Agent.Procfs;

namespace Agent.Containers;

/// <summary>
/// The container view of every target, read on the sampling tick: one <see cref="ContainerTracker"/>
/// per target name, one read buffer for all. Called only from the sampling loop.
/// </summary>
/// <param name="fileSystemRoot">Where the agent's mount points are ("/"; a fixture tree in tests).</param>
/// <param name="readEvery">How often a target's cgroup files are read; null: every tick.</param>
internal sealed class ContainerSampler(ProcFs fs, OomWatcher? watcher, TimeProvider time, ILoggerFactory loggers, string fileSystemRoot = "/", TimeSpan? readEvery = null) : IDisposable
{
    private readonly Dictionary<string, ContainerTracker> _trackers = new(StringComparer.Ordinal);
    private readonly byte[] _buffer = new byte[16 * 1024];
    private readonly ILogger _logger = loggers.CreateLogger("Agent.Container");

    /// <summary>One target's tick; <paramref name="pid"/> null while it has no process.</summary>
    public (ContainerSample? Sample, OomState Oom) Tick(string target, int? pid, ulong startTicks, string? comm, long restarts, DateTimeOffset now)
    {
        if (!_trackers.TryGetValue(target, out var tracker))
        {
            if (pid is null)
            {
                return (null, OomState.None); // never seen: nothing to keep yet
            }

            tracker = new ContainerTracker(target, fs, watcher, time, _logger, fileSystemRoot, readEvery ?? TimeSpan.Zero);
            _trackers[target] = tracker;
        }

        return tracker.Tick(pid, startTicks, comm, restarts, now, _buffer);
    }

    /// <summary>The tracker of a target, once it had a process (tests, <c>agent check</c>).</summary>
    public ContainerTracker? Tracker(string target) => _trackers.GetValueOrDefault(target);

    public void Dispose()
    {
        foreach (var t in _trackers.Values)
        {
            t.Dispose();
        }
    }
}
