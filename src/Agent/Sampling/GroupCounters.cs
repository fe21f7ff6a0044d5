namespace Agent.Sampling;

/// <summary>
/// A target's counters over the members of its tree, from the kernel's own accounting, kept
/// monotonic while members come and go. Each tick adds what every member used since the last
/// tick (a new member: all it used), own and reaped children's alike, in integers:
/// <list type="bullet">
/// <item>A child born and reaped between two ticks is in its parent's <c>cutime</c>/<c>cstime</c>
/// (and <c>cminflt</c>/<c>cmajflt</c>): counted, with nothing lost between ticks.</item>
/// <item>A member reaped by another member moves its whole use into that member's c-fields. What
/// was already counted of it is expected there (a debt of its reaper) and not counted twice; only
/// its tail since the last tick is new. A reaper that does not show the growth within
/// <see cref="DebtTicks"/> ticks (it ignored SIGCHLD, or the child was re-parented and reaped
/// elsewhere between two ticks) is forgiven the rest: what was seen stays counted.</item>
/// <item>A member that leaves the tree alive (re-parented to init) keeps what it had counted.</item>
/// <item>io and context switches have no c-fields: a member's growth is counted while it is seen.</item>
/// </list>
/// Reset only when the target restarts. Called only from the sampling loop; not thread-safe.
/// </summary>
internal sealed class GroupCounters
{
    /// <summary>Ticks a reaper has to show a reaped member's use in its c-fields (reads of a tick race with reaping).</summary>
    public const int DebtTicks = 2;

    private readonly Dictionary<ProcessIdentity, Debt> _debts = [];
    private readonly Dictionary<int, ProcessIdentity> _nextByPid = [];
    private readonly Dictionary<int, MemberCounters> _lastByPid = [];
    private readonly List<ProcessIdentity> _expired = [];
    private Dictionary<ProcessIdentity, MemberCounters> _last = [];
    private Dictionary<ProcessIdentity, MemberCounters> _next = [];
    private KernelCounters _kernel;
    private SeenCounters _seen;

    /// <summary>The totals as of the last <see cref="Total"/>.</summary>
    public CounterValues Current => new(_kernel, _seen);

    public void Reset()
    {
        _last.Clear();
        _debts.Clear();
        _kernel = default;
        _seen = default;
    }

    /// <summary>Starts a tick; then <see cref="Observe"/> each member (zombies too); then <see cref="Total"/>.</summary>
    public void Begin() => _next.Clear();

    public void Observe(in MemberCounters member) => _next[member.Id] = member;

    /// <summary>Counts a member's growth from now on, not what it used before (call before <see cref="Total"/>).</summary>
    public void Adopt(in MemberCounters member) => _last[member.Id] = member;

    /// <param name="unreaped">True for a process that has not been reaped (alive or zombie), wherever it is now.</param>
    public CounterValues Total(Func<ProcessIdentity, bool> unreaped)
    {
        _nextByPid.Clear();
        _lastByPid.Clear();
        foreach (var (id, last) in _last)
        {
            if (!_next.ContainsKey(id) && !unreaped(id) && ReaperOf(last) is { } reaper)
            {
                // Reaped: its use is moving into its reaper's c-fields.
                Owe(reaper, last.Own + last.Reaped);
            }
        }

        foreach (var (id, now) in _next)
        {
            KernelCounters own = now.Own, reaped = now.Reaped;
            var seen = now.Seen;
            if (_last.TryGetValue(id, out var before))
            {
                own -= before.Own;
                reaped -= before.Reaped;
                seen -= before.Seen;
            }

            if (_debts.TryGetValue(id, out var debt))
            {
                var paid = KernelCounters.Min(reaped, debt.Amount);
                reaped -= paid;
                _debts[id] = debt with { Amount = debt.Amount - paid };
            }

            _kernel += own + reaped;
            _seen += seen;
        }

        Age();
        (_last, _next) = (_next, _last);
        return Current;
    }

    /// <summary>The nearest member of this tick up a departed member's last known parents.</summary>
    private ProcessIdentity? ReaperOf(MemberCounters departed)
    {
        if (_nextByPid.Count == 0)
        {
            foreach (var id in _next.Keys)
            {
                _nextByPid[id.Pid] = id;
            }

            foreach (var m in _last.Values)
            {
                _lastByPid[m.Id.Pid] = m;
            }
        }

        var parent = departed.ParentPid;
        for (var hops = 0; hops <= _last.Count; hops++)
        {
            if (_nextByPid.TryGetValue(parent, out var present))
            {
                return present;
            }

            if (!_lastByPid.TryGetValue(parent, out var gone))
            {
                return null;
            }

            parent = gone.ParentPid; // its parent was reaped too: the use moved one level further up
        }

        return null;
    }

    private void Owe(ProcessIdentity reaper, KernelCounters amount)
    {
        var debt = _debts.GetValueOrDefault(reaper);
        _debts[reaper] = new Debt(debt.Amount + amount, DebtTicks);
    }

    private void Age()
    {
        _expired.Clear();
        foreach (var (id, debt) in _debts)
        {
            if (debt.TicksLeft <= 1 || debt.Amount.IsZero || !_next.ContainsKey(id))
            {
                _expired.Add(id);
            }
            else
            {
                _debts[id] = debt with { TicksLeft = debt.TicksLeft - 1 };
            }
        }

        foreach (var id in _expired)
        {
            _debts.Remove(id);
        }
    }

    private readonly record struct Debt(KernelCounters Amount, int TicksLeft);
}
