using Agent.Configuration;
using Agent.Logging;

namespace Agent.Profiling;

/// <summary>
/// The duty cycle: every <see cref="ProfilingSettings.Interval"/>, one window of
/// <see cref="ProfilingSettings.Window"/> per target (.NET, or Python with the hook), one target after the other (a window
/// costs the agent CPU to read; spreading them keeps that flat), kept in the <see cref="ProfileStore"/>.
/// A target that fails (gone, no socket) is skipped until the next interval.
/// </summary>
internal sealed class ProfilingService(ProfilingSettings settings, TargetProfiler profiler, ProfileStore store, TimeProvider time, RepeatGate gate, ILogger<ProfilingService> logger, ProfilePusher? pusher = null) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(settings.Interval, time);
        while (!stoppingToken.IsCancellationRequested)
        {
            var names = profiler.Names;
            store.Retain(names);
            foreach (var name in names)
            {
                if (profiler.Find(name) is not { } target || profiler.Unsupported(target) is not null)
                {
                    continue;
                }

                try
                {
                    if (await profiler.RecordAsync(target, settings.Window, stoppingToken) is { } window)
                    {
                        store.Add(name, window);
                        pusher?.Offer(name, profiler.RuntimeLabel(target), window);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    if (gate.ShouldLog($"profiling:{name}", out _))
                    {
                        ProfilingLog.WindowFailed(logger, name, e.GetType().Name, e.Message);
                    }
                }
            }

            try
            {
                await timer.WaitForNextTickAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
