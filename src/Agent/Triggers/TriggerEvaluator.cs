using Agent.Configuration;
using Agent.Runtimes;
using Agent.Sampling;

namespace Agent.Triggers;

/// <summary>
/// One trigger's condition and limits, evaluated once per sampling tick from the published
/// snapshots: no I/O, no allocation, time only from the caller. Thread-safe: the sampling loop
/// evaluates, an action's completion reports back, endpoints read the status.
/// </summary>
internal sealed class TriggerEvaluator
{
    private readonly Lock _lock = new();
    private readonly SlidingMinimum? _window;
    private readonly FiringLimits _limits;
    private readonly Func<TargetSnapshot, DotnetRuntimeSnapshot?, double?> _read;
    private readonly Func<Traffic.TrafficSnapshot?, double?>? _readTraffic;

    // Per process: forgotten when the target's identity changes.
    private ProcessIdentity? _identity;
    private bool _hasPrevious;
    private double _previousValue;
    private long _previousTicks;
    private DateTimeOffset? _aboveSince;

    private TriggerState _state;
    private double? _value;

    public TriggerEvaluator(TriggerDefinition definition, TimeSpan interval)
    {
        Definition = definition;
        _read = TriggerMetricReaders.For(definition.Metric);
        _readTraffic = TriggerMetricReaders.TrafficFor(definition.Metric);
        _limits = new FiringLimits(definition.Cooldown, definition.MaxPerHour);
        if (definition.Condition == TriggerCondition.Growth)
        {
            // One sample per tick over the window, plus the sample at its start and one late tick.
            _window = new SlidingMinimum(definition.Window, (int)(definition.Window.Ticks / interval.Ticks) + 3);
        }
    }

    public TriggerDefinition Definition { get; }

    /// <summary>Evaluates the trigger on the tick that published <paramref name="target"/>, at <paramref name="now"/>.</summary>
    public TriggerDecision Evaluate(TargetSnapshot target, DotnetRuntimeSnapshot? runtime, DateTimeOffset now) => Evaluate(target, runtime, null, now);

    /// <summary>The same, with the target's current traffic for the traffic metrics.</summary>
    public TriggerDecision Evaluate(TargetSnapshot target, DotnetRuntimeSnapshot? runtime, Traffic.TrafficSnapshot? traffic, DateTimeOffset now)
    {
        lock (_lock)
        {
            var value = Measure(target, runtime, traffic, now);
            var condition = value is { } v && Above(v, now);
            var fire = condition && Met(now) && _limits.CanFire(now);
            if (fire)
            {
                _limits.Fired(now);
            }

            _state = fire ? TriggerState.ConditionTrue
                : !_limits.CanFire(now) && _limits.LastFired is not null ? TriggerState.CoolingDown
                : condition ? TriggerState.ConditionTrue
                : TriggerState.Idle;
            _value = value;
            return new TriggerDecision(_state, value, fire);
        }
    }

    /// <summary>The actions of the last firing ended; a failure starts or extends the back-off.</summary>
    public void Completed(bool succeeded, DateTimeOffset now)
    {
        lock (_lock)
        {
            _limits.Completed(succeeded, now);
            if (_state == TriggerState.CoolingDown && _limits.CanFire(now))
            {
                // Shown as cooling down until the next tick re-evaluates; nothing fires in between.
                _state = TriggerState.Idle;
            }
        }
    }

    /// <summary>A consistent copy of what the trigger last concluded and when it may fire next.</summary>
    public TriggerStatus Status()
    {
        lock (_lock)
        {
            return new TriggerStatus(
                Definition.Name,
                _state,
                _value,
                _limits.LastFired,
                _limits.LastFired is null && !_limits.InFlight ? null : _limits.NextPossible,
                _limits.Firings,
                _limits.ConsecutiveFailures,
                _limits.InFlight);
        }
    }

    /// <summary>The state alone, for the gauge.</summary>
    public TriggerState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>The compared quantity now: the value (a gauge), its rate (a counter), or growth within the window.</summary>
    private double? Measure(TargetSnapshot target, DotnetRuntimeSnapshot? runtime, Traffic.TrafficSnapshot? traffic, DateTimeOffset now)
    {
        var metric = Definition.Metric;
        if (metric.PerProcess && target.Sample?.Identity != _identity)
        {
            // A new process (or none): its values do not continue the old one's.
            _identity = target.Sample?.Identity;
            Forget();
        }

        if ((_readTraffic is { } readTraffic ? readTraffic(traffic) : _read(target, runtime)) is not { } raw)
        {
            Forget();
            return null;
        }

        var value = raw;
        if (metric.Kind == TriggerMetricKind.Counter)
        {
            var ticks = now.UtcTicks;
            var had = _hasPrevious;
            var previous = _previousValue;
            var elapsed = ticks - _previousTicks;
            _hasPrevious = true;
            _previousValue = raw;
            _previousTicks = ticks;
            if (!had || elapsed <= 0 || raw < previous)
            {
                // No rate from one sample, across a clock step, or across a counter reset.
                _window?.Clear();
                _aboveSince = null;
                return null;
            }

            value = (raw - previous) / TimeSpan.FromTicks(elapsed).TotalSeconds;
        }

        if (_window is null)
        {
            return value;
        }

        _window.Add(now.UtcTicks, value);
        return value - _window.Minimum;
    }

    /// <summary>True if the value is past the threshold; remembers since when.</summary>
    private bool Above(double value, DateTimeOffset now)
    {
        if (value <= Definition.Threshold)
        {
            _aboveSince = null;
            return false;
        }

        _aboveSince ??= now;
        return true;
    }

    /// <summary>True once the value has been past the threshold for <c>For</c> (growth needs no duration).</summary>
    private bool Met(DateTimeOffset now) =>
        Definition.Condition == TriggerCondition.Growth || now - _aboveSince!.Value >= Definition.For;

    private void Forget()
    {
        _hasPrevious = false;
        _window?.Clear();
        _aboveSince = null;
    }
}
