using System.Globalization;
using Agent.Configuration;
using Agent.Logging;
using Agent.Runtimes;
using Agent.Sampling;

namespace Agent.Triggers;

/// <summary>
/// Evaluates every trigger on the sampling tick (from the snapshot just published and the latest
/// runtime counters: no extra /proc read) and runs a firing's actions in the background, one after
/// the other, each under <see cref="ActionTimeout"/>. Nothing an action does can reach the tick:
/// failures and time-outs are outcomes, logged at most once a minute per trigger, and the trigger
/// backs off.
/// </summary>
internal sealed partial class TriggerEngine : ISamplingObserver, IDisposable
{
    /// <summary>The longest one capture may take before the trigger stops waiting for it (a trace's own length is far shorter).</summary>
    public static TimeSpan ActionTimeout { get; } = TimeSpan.FromMinutes(5);

    private readonly TriggerEvaluator[] _evaluators;
    private readonly RuntimeStore _runtime;
    private readonly ICaptureStarter _capture;
    private readonly TimeProvider _time;
    private readonly RepeatGate _gate;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Traffic.TrafficStore? _traffic;
    private readonly TimeSpan _interval;

    // The sampling loop is the only writer: per target, the last process seen, for the restart log line.
    private readonly Dictionary<string, (ProcessIdentity Identity, string Name)> _last = new(StringComparer.Ordinal);

    public TriggerEngine(
        IReadOnlyList<TriggerDefinition> definitions,
        SamplingSchedule schedule,
        RuntimeStore runtime,
        ICaptureStarter capture,
        TimeProvider time,
        RepeatGate gate,
        ILogger<TriggerEngine> logger,
        Traffic.TrafficStore? traffic = null)
    {
        _traffic = traffic;
        _evaluators = [.. definitions.Select(d => new TriggerEvaluator(d, schedule.Interval))];
        _interval = schedule.Interval;
        _runtime = runtime;
        _capture = capture;
        _time = time;
        _gate = gate;
        _logger = logger;
        Firings = new TriggerFirings(_evaluators.Select(e => e.Definition.Name));
    }

    public IReadOnlyList<TriggerEvaluator> Triggers => _evaluators;

    /// <summary>Firings per trigger since start, whatever their actions' outcome.</summary>
    public TriggerFirings Firings { get; }

    /// <summary>
    /// Called by the sampling loop right after it published <paramref name="snapshot"/>: each
    /// trigger measures the target it names (its process, cgroup and runtime counters).
    /// </summary>
    public void OnTick(SamplingSnapshot snapshot)
    {
        if (_evaluators.Length == 0)
        {
            return;
        }

        var now = _time.GetUtcNow();
        foreach (var evaluator in _evaluators)
        {
            var name = evaluator.Definition.Target;
            var target = snapshot.Find(name) ?? TargetSnapshot.Initial(name, required: true, "not present", snapshot.TakenAt);
            var traffic = _traffic?.Of(name) is { } t && t.IsCurrentFor(target, now, MetricsSession.StaleAfter(_interval)) ? t : null;
            var decision = evaluator.Evaluate(target, _runtime.DotnetOf(name), traffic, now);
            if (decision.Fire)
            {
                Fire(evaluator, decision, target);
            }
        }

        foreach (var t in snapshot.Targets)
        {
            if (t.Sample is { } sample)
            {
                _last[t.Name] = (sample.Identity, sample.Name);
            }
        }
    }

    /// <summary>One target's tick (tests and benchmarks of a single target).</summary>
    public void OnTick(TargetSnapshot snapshot) => OnTick(new SamplingSnapshot([snapshot], snapshot.TakenAt));

    /// <summary>Cancels running captures. The source is not disposed: a capture still finishing may read its token.</summary>
    public void Dispose() => _stopping.Cancel();

    private void Fire(TriggerEvaluator evaluator, TriggerDecision decision, TargetSnapshot snapshot)
    {
        var d = evaluator.Definition;
        var value = decision.Value is { } v ? (d.Metric.Bytes ? ByteSize.Format(v) : v.ToString("G6", CultureInfo.InvariantCulture)) : "?";
        var process = snapshot.Sample is { } s ? string.Create(CultureInfo.InvariantCulture, $"pid {s.Identity.Pid} ({s.Name})") : "no process";
        if (d.Metric.Name is TriggerMetricCatalog.Restarts or TriggerMetricCatalog.OomKilledRestarts && snapshot.Sample is { } now
            && _last.TryGetValue(snapshot.Name, out var old) && old.Identity != now.Identity)
        {
            process = string.Create(CultureInfo.InvariantCulture, $"{process}, which replaced pid {old.Identity.Pid} ({old.Name}, start time {old.Identity.StartTimeTicks} ticks after boot)");
        }

        if (snapshot.Oom.Last is { } kill && d.Metric.Name is TriggerMetricCatalog.OomKills or TriggerMetricCatalog.OomKilledRestarts)
        {
            process = string.Create(CultureInfo.InvariantCulture, $"{process}; last OOM kill: pid {kill.Pid} ({kill.ProcessName}){(kill.TargetKilled ? string.Empty : " survived another process's kill")}");
        }

        TriggersLog.Fired(_logger, d.Name, d.Describe(), value, snapshot.Name, process, string.Join(",", d.Actions).ToLowerInvariant());
        Firings.Fired(d.Name);
        _ = RunActionsAsync(evaluator);
    }

    private async Task RunActionsAsync(TriggerEvaluator evaluator)
    {
        // Off the sampling thread at once: the tick never waits for a capture to start.
        await Task.Yield();
        var d = evaluator.Definition;
        string? failure = null;
        foreach (var action in d.Actions)
        {
            string? reason;
            // The deadline runs from before the capture starts; the capture is told, and is not waited for beyond it.
            using var deadline = new CancellationTokenSource(ActionTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, _stopping.Token);
            try
            {
                var outcome = await _capture.CaptureAsync(d.Target, action, d.Name, linked.Token)
                    .WaitAsync(linked.Token).ConfigureAwait(false);
                reason = outcome.Succeeded ? null : outcome.Reason ?? "failed";
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                reason = string.Create(CultureInfo.InvariantCulture, $"no result within {ActionTimeout:c}");
            }
            catch (Exception e)
            {
                reason = $"{e.GetType().Name}: {e.Message}";
            }

            if (reason is not null)
            {
                failure ??= $"{action.ToString().ToLowerInvariant()}: {reason}";
            }
        }

        var at = _time.GetUtcNow();
        evaluator.Completed(failure is null, at);
        var key = "trigger-failed:" + d.Name;
        if (failure is null)
        {
            _gate.Reset(key);
        }
        else if (_gate.ShouldLog(key, out var suppressed))
        {
            var status = evaluator.Status();
            TriggersLog.ActionFailed(_logger, d.Name, failure, status.ConsecutiveFailures, status.NextPossible ?? at, suppressed);
        }
    }
}
