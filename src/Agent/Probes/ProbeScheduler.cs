namespace Agent.Probes;

/// <summary>Starts every probe's runner and disposes the probes' clients at shutdown.</summary>
internal sealed class ProbeScheduler(IReadOnlyList<ProbeRunner> runners, IReadOnlyList<IProbe> probes) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            await Task.WhenAll(runners.Select(r => r.RunAsync(stoppingToken)));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        foreach (var p in probes)
        {
            try
            {
                await p.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(1), cancellationToken);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException or ObjectDisposedException)
            {
                // Shutdown must not wait on a dependency either.
            }
        }
    }
}
