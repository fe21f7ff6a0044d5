using Agent.Containers;
using Agent.History;
using Agent.Logging;
using Agent.Probes;
using Agent.Runtimes;
using Agent.Triggers;

namespace Agent.Sampling;

/// <summary>
/// The sampling loop: one tick per <c>Sampling:Interval</c>, each publishing a snapshot of every
/// target. A tick that throws is logged (rate-limited) and the loop goes on; the snapshot's
/// timestamp then stops advancing and <c>/health</c> reports it.
/// </summary>
internal sealed class TargetSamplingService(
    TargetSet targets,
    ContainerSampler containers,
    TargetSnapshotStore store,
    SamplingSchedule schedule,
    TimeProvider time,
    RepeatGate gate,
    Watchdog watchdog,
    TriggerEngine triggers,
    HistoryRecorder history,
    RuntimeStore runtime,
    ProbeResultStore probes,
    ILogger<TargetSamplingService> logger) : BackgroundService
{
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
                Evaluate(snapshot);
                history.Record(snapshot, runtime.DotnetOf(snapshot.Primary?.Name), probes.Current);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (gate.ShouldLog("tick-failed", out var suppressed))
                {
                    Log.TickFailed(logger, e, suppressed);
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>Triggers see every target of every published snapshot; a bug of theirs must not stop sampling.</summary>
    private void Evaluate(SamplingSnapshot snapshot)
    {
        try
        {
            triggers.OnTick(snapshot);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (gate.ShouldLog("triggers-failed", out var suppressed))
            {
                Log.TickFailed(logger, e, suppressed);
            }
        }
    }
}
