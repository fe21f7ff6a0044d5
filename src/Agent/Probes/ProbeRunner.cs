using Agent.Common;
using Agent.Configuration;
using Agent.Logging;

namespace Agent.Probes;

/// <summary>
/// Runs one probe on its own period with a hard deadline. Each check runs under a
/// <see cref="Deadline{T}"/>: at the deadline its token is cancelled and the round reports
/// <c>timeout</c>. A check that honours its token ends there; one that ignores it is abandoned and
/// counted (<c>agent_probe_abandoned_checks</c>). Later rounds start fresh checks beside it — one
/// stuck connection must not fail readiness for good — until <see cref="MaxAbandoned"/> are still
/// running; then rounds report <c>timeout</c> without starting another, so a dependency that holds
/// every connection costs at most that many stuck calls per probe.
/// </summary>
internal sealed class ProbeRunner(IProbe probe, ProbeResultStore store, ProbeFailures failures, AbandonedChecks abandoned, TimeProvider time, RepeatGate gate, ILogger logger)
{
    /// <summary>
    /// Abandoned checks (cancelled at their deadline, still running) a probe may have before it
    /// stops starting new ones. Two let a probe recover from one held connection even when its
    /// client ignores cancellation, while a dependency holding everything costs at most two calls.
    /// </summary>
    public const int MaxAbandoned = 2;

    private Task? _last;
    private bool? _lastHealthy;
    private ProbeStreak? _streak;

    public ProbeDefinition Definition => probe.Definition;

    /// <summary>True while a check (possibly an abandoned one) is still running.</summary>
    public bool CheckInFlight => _last is { IsCompleted: false } || Abandoned > 0;

    /// <summary>Checks cancelled at their deadline that have not ended yet (they ignored the token).</summary>
    public int Abandoned => abandoned.Of(Definition.Name);

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
        var outcome = Abandoned >= MaxAbandoned
            ? ProbeOutcome.Failed(FailureReason.Timeout, $"timeout: {MaxAbandoned} earlier checks are still running past their {Definition.Timeout.TotalMilliseconds:F0} ms deadline (they ignore cancellation); no new check is started until one ends")
            : await CheckAsync(stoppingToken);

        _streak = _streak is null ? ProbeStreak.Start(outcome) : _streak.Next(outcome, Definition.FailureThreshold, Definition.SuccessThreshold);
        var result = new ProbeResult(Definition, outcome, time.GetElapsedTime(started), time.GetUtcNow()) { Streak = _streak };
        store.Publish(result);
        failures.Record(result);
        LogTransition(outcome);
        return result;
    }

    private async Task<ProbeOutcome> CheckAsync(CancellationToken stoppingToken)
    {
        var check = Deadline<ProbeOutcome>.Start(probe.CheckAsync, Definition.Timeout, time, stoppingToken);
        _last = check.Work;
        try
        {
            return await check.WaitAsync();
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            if (check.Abandoned)
            {
                abandoned.Track(Definition.Name, check.Work);
            }

            return ProbeOutcome.Failed(FailureReason.Timeout, $"timeout: no answer within {Definition.Timeout.TotalMilliseconds:F0} ms");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return FailureClassifier.Classify(e, probe.Secrets);
        }
    }

    private void LogTransition(ProbeOutcome outcome)
    {
        var key = "probe:" + Definition.Name;
        if (outcome.Healthy)
        {
            if (_lastHealthy == false)
            {
                ProbesLog.ProbeRecovered(logger, Definition.Name, Definition.KindLabel);
                gate.Reset(key);
            }
        }
        else if (gate.ShouldLog(key, out var suppressed))
        {
            ProbesLog.ProbeFailed(logger, Definition.Name, Definition.KindLabel, (outcome.Reason ?? FailureReason.Error).Label(), outcome.Description, suppressed);
        }

        _lastHealthy = outcome.Healthy;
    }
}
