using Agent.Containers;
using Agent.Logging;
using Agent.Procfs;
using Agent.Sampling;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Agent.Tests.Sampling;

/// <summary>
/// The sampling loop knows no feature above it: it tells every registered observer of each snapshot
/// it published, in order, and one observer that throws neither stops the loop nor the others.
/// </summary>
public class SamplingObserverTests
{
    private sealed class Throwing : ISamplingObserver
    {
        public void OnTick(SamplingSnapshot snapshot) => throw new InvalidOperationException("observer bug");
    }

    private sealed class Recording(TargetSnapshotStore store) : ISamplingObserver
    {
        private readonly Lock _lock = new();
        private readonly List<bool> _published = [];

        /// <summary>For each snapshot told, whether the store already held it (told after publishing).</summary>
        public IReadOnlyList<bool> Published
        {
            get
            {
                lock (_lock)
                {
                    return [.. _published];
                }
            }
        }

        public void OnTick(SamplingSnapshot snapshot)
        {
            lock (_lock)
            {
                _published.Add(ReferenceEquals(store.Current, snapshot));
            }
        }
    }

    [Fact]
    public async Task Every_observer_is_told_after_the_publish_even_when_one_before_it_throws()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var gate = new RepeatGate(time);
        var reader = new ProcessReader(new ProcSystem(new ProcFs("/proc")));
        var factory = new TrackerFactory(reader, TimeSpan.FromSeconds(1), time, NullLogger.Instance, gate);
        var targets = new TargetSet([factory.Create("app", true, new PidSelector(Environment.ProcessId), includeChildren: false)], null, reader, Environment.ProcessId, time);
        var store = new TargetSnapshotStore(targets.Initial(time.GetUtcNow()));
        var recording = new Recording(store);
        var log = new ListLogger<TargetSamplingService>();
        using var containers = new ContainerSampler(new ProcFs("/proc"), null, time, NullLoggerFactory.Instance);
        using var service = new TargetSamplingService(targets, containers, store, new SamplingSchedule(TimeSpan.FromSeconds(1)), time, gate, new Watchdog(), [new Throwing(), recording], log);

        await service.StartAsync(CancellationToken.None);
        try
        {
            await Until(() => recording.Published.Count >= 1, "the first tick told the second observer");
            time.Advance(TimeSpan.FromSeconds(1));
            await Until(() => recording.Published.Count >= 2, "the second tick told it too");
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }

        Assert.All(recording.Published, Assert.True);
        Assert.Equal(Environment.ProcessId, store.Current.Find("app")!.Sample!.Identity.Pid);
        Assert.Single(log.Entries, e => e.EventId == 6); // the throwing observer, logged once (rate-limited)
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within 20 s: {what}");
            await Task.Delay(5);
        }
    }
}
