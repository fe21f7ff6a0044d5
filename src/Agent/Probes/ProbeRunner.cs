using Agent.Configuration;
using Agent.Logging;
using Agent.Telemetry;

namespace Agent.Probes;

/// <summary>
/// Runs one probe on its own period with a hard deadline. At most one check is in flight: a
/// check that ignores cancellation is abandoned at the deadline, and while it still runs the
/// next rounds report <c>timeout</c> without starting another, so a hanging dependency costs at
/// most one stuck call per probe.
/// </summary>
internal sealed class ProbeRunner(IProbe probe, ProbeResultStore store, ProbeMetrics metrics, TimeProvider time, RepeatGate gate, ILogger logger)
{
    private Task<ProbeOutcome>? _inFlight;
    private bool? _lastHealthy;
    private ProbeStreak? _streak;

    public ProbeDefinition Definition => probe.Definition;

    /// <summary>True while a check (possibly an abandoned one) is still running.</summary>
    public bool CheckInFlight => _inFlight is { IsCompleted: false };

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Definition.Period, time);
        do
        {
            await RunOnceAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task<ProbeResult> RunOnceAsync(CancellationToken stoppingToken)
    {
        var started = time.GetTimestamp();
        ProbeOutcome outcome;
        if (_inFlight is { IsCompleted: false })
        {
            outcome = ProbeOutcome.Failed(FailureReason.Timeout, $"timeout: the previous check is still running past its {Definition.Timeout.TotalMilliseconds:F0} ms deadline");
        }
        else
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            cts.CancelAfter(Definition.Timeout);
            Task<ProbeOutcome> check;
            // On the thread pool: a client that blocks synchronously (connect, DNS, first-call
            // JIT) must not delay the start of the deadline.
            var token = cts.Token;
            check = Task.Run(() => probe.CheckAsync(token), CancellationToken.None);

            _inFlight = check;
            // An abandoned check may fail later: observe it so it is not an unobserved exception.
            _ = check.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            try
            {
                outcome = await check.WaitAsync(Definition.Timeout, time, stoppingToken);
            }
            catch (TimeoutException)
            {
                outcome = ProbeOutcome.Failed(FailureReason.Timeout, $"timeout: no answer within {Definition.Timeout.TotalMilliseconds:F0} ms");
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                outcome = ProbeOutcome.Failed(FailureReason.Timeout, $"timeout: no answer within {Definition.Timeout.TotalMilliseconds:F0} ms");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                outcome = FailureClassifier.Classify(e, probe.Secrets);
            }
        }

        _streak = _streak is null ? ProbeStreak.Start(outcome) : _streak.Next(outcome, Definition.FailureThreshold, Definition.SuccessThreshold);
        var result = new ProbeResult(Definition, outcome, time.GetElapsedTime(started), time.GetUtcNow()) { Streak = _streak };
        store.Publish(result);
        metrics.Record(result);
        LogTransition(outcome);
        return result;
    }

    private void LogTransition(ProbeOutcome outcome)
    {
        var key = "probe:" + Definition.Name;
        if (outcome.Healthy)
        {
            if (_lastHealthy == false)
            {
                Log.ProbeRecovered(logger, Definition.Name, Definition.KindLabel);
                gate.Reset(key);
            }
        }
        else if (gate.ShouldLog(key, out var suppressed))
        {
            Log.ProbeFailed(logger, Definition.Name, Definition.KindLabel, outcome.Reason ?? FailureReason.Error, outcome.Description, suppressed);
        }

        _lastHealthy = outcome.Healthy;
    }
}
