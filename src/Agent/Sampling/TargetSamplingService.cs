using Agent.Containers;
using Agent.Logging;

namespace Agent.Sampling;

/// <summary>
/// The sampling loop: one tick per <c>Sampling:Interval</c>, each publishing a snapshot of every
/// target. A tick that throws is logged (rate-limited) and the loop goes on; the snapshot's
/// timestamp then stops advancing and <c>/health</c> reports it. Each published snapshot goes to
/// the registered <see cref="ISamplingObserver"/>s in registration order (triggers, then history).
/// </summary>
internal sealed class TargetSamplingService(
    TargetSet targets,
    ContainerSampler containers,
    TargetSnapshotStore store,
    SamplingSchedule schedule,
    TimeProvider time,
    RepeatGate gate,
    Watchdog watchdog,
    IEnumerable<ISamplingObserver> observers,
    ILogger<TargetSamplingService> logger) : BackgroundService
{
    private readonly (ISamplingObserver Observer, string GateKey)[] _observers = [.. observers.Select(o => (o, $"{o.GetType().Name}-failed"))];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Run the blocking /proc reads off the host's startup path.
        await Task.Yield();
        using var timer = new PeriodicTimer(schedule.Interval, time);
        do
        {
            try
            {
                var snapshot = containers.Attach(targets.Tick());
                store.Publish(snapshot);
                watchdog.Pet();
                Tell(snapshot);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (gate.ShouldLog("tick-failed", out var suppressed))
                {
                    SamplingLog.TickFailed(logger, e, suppressed);
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>Every observer sees every published snapshot; a bug of one must neither stop sampling nor the others.</summary>
    private void Tell(SamplingSnapshot snapshot)
    {
        foreach (var (observer, key) in _observers)
        {
            try
            {
                observer.OnTick(snapshot);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (gate.ShouldLog(key, out var suppressed))
                {
                    SamplingLog.TickFailed(logger, e, suppressed);
                }
            }
        }
    }
}
