namespace Agent.Triggers;

/// <summary>
/// When a trigger may fire again: <c>Cooldown</c> after the last firing, no more than
/// <c>MaxPerHour</c> within any hour, and an exponential back-off while its actions keep failing.
/// A firing is charged when it starts, so an action that fails or hangs cannot reset the limits
/// (the trap where a timed-out action let a rule capture again at once).
/// </summary>
internal sealed class FiringLimits
{
    /// <summary>The first back-off after a failed firing; it doubles per further failure.</summary>
    public static TimeSpan FirstBackoff { get; } = TimeSpan.FromMinutes(1);

    public static TimeSpan MaxBackoff { get; } = TimeSpan.FromHours(1);

    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private readonly TimeSpan _cooldown;
    private readonly DateTimeOffset[] _recent;
    private int _next;
    private int _count;
    private DateTimeOffset _backoffUntil = DateTimeOffset.MinValue;

    public FiringLimits(TimeSpan cooldown, int maxPerHour)
    {
        _cooldown = cooldown;
        _recent = new DateTimeOffset[maxPerHour];
    }

    public DateTimeOffset? LastFired { get; private set; }

    public long Firings { get; private set; }

    /// <summary>Consecutive firings whose actions failed; 0 after a success.</summary>
    public int ConsecutiveFailures { get; private set; }

    /// <summary>True while the last firing's actions have not finished.</summary>
    public bool InFlight { get; private set; }

    /// <summary>The earliest time the trigger may fire again (ignoring <see cref="InFlight"/>).</summary>
    public DateTimeOffset NextPossible
    {
        get
        {
            var next = DateTimeOffset.MinValue;
            if (LastFired is { } last)
            {
                next = last + _cooldown;
            }

            if (_count == _recent.Length)
            {
                // The oldest of the last MaxPerHour firings leaves the hour then.
                var oldest = _recent[_next];
                next = Max(next, oldest + Hour);
            }

            return Max(next, _backoffUntil);
        }
    }

    public bool CanFire(DateTimeOffset now) => !InFlight && now >= NextPossible;

    /// <summary>Charges a firing at <paramref name="now"/>.</summary>
    public void Fired(DateTimeOffset now)
    {
        LastFired = now;
        Firings++;
        InFlight = true;
        _recent[_next] = now;
        _next = (_next + 1) % _recent.Length;
        _count = Math.Min(_count + 1, _recent.Length);
    }

    /// <summary>The firing's actions ended (or were abandoned at their deadline) at <paramref name="now"/>.</summary>
    public void Completed(bool succeeded, DateTimeOffset now)
    {
        InFlight = false;
        if (succeeded)
        {
            ConsecutiveFailures = 0;
            _backoffUntil = DateTimeOffset.MinValue;
            return;
        }

        ConsecutiveFailures++;
        var backoff = FirstBackoff * Math.Pow(2, Math.Min(ConsecutiveFailures - 1, 10));
        _backoffUntil = now + (backoff < MaxBackoff ? backoff : MaxBackoff);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
