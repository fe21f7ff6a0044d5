using Agent.Sampling;

namespace Agent.Tests.Sampling;

/// <summary>
/// The tree counters against the kernel's accounting rules, by hand (each case says what the
/// kernel does) and against a toy kernel driven at random: fork, run, exit (a zombie), wait (the
/// child's utime + cutime join the parent's cutime, stime + cstime its cstime), re-parenting of
/// orphans, SIGCHLD ignored (no zombie, no accounting).
/// </summary>
public class GroupCountersTests
{
    private static readonly ProcessIdentity Root = new(10, 1);
    private static readonly ProcessIdentity Worker = new(11, 2);

    private static KernelCounters Cpu(ulong user, ulong system = 0) => new(user, system, 0, 0);

    private static MemberCounters Member(ProcessIdentity id, int parent, KernelCounters own, KernelCounters reaped = default, long ioRead = 0) =>
        new(id, parent, own, reaped, new SeenCounters(ioRead, 0, 0, 0));

    private static CounterValues Tick(GroupCounters g, Func<ProcessIdentity, bool> unreaped, params MemberCounters[] members)
    {
        g.Begin();
        foreach (var m in members)
        {
            g.Observe(m);
        }

        return g.Total(unreaped);
    }

    private static bool Reaped(ProcessIdentity _) => false;

    [Fact]
    public void A_child_reaped_by_the_root_counts_once_with_its_tail()
    {
        var g = new GroupCounters();
        Assert.Equal(Cpu(15, 3), Tick(g, Reaped, Member(Root, 1, Cpu(10, 2)), Member(Worker, 10, Cpu(5, 1))).Kernel);

        // The worker ran 2 more user ticks after this tick, exited and was waited for: the root's
        // cutime is now 7, cstime 1. Only those 2 ticks are new.
        Assert.Equal(Cpu(17, 3), Tick(g, Reaped, Member(Root, 1, Cpu(10, 2), Cpu(7, 1))).Kernel);
    }

    [Fact]
    public void A_child_born_and_reaped_between_two_ticks_is_in_the_roots_c_fields()
    {
        var g = new GroupCounters();
        Tick(g, Reaped, Member(Root, 1, Cpu(10)));

        Assert.Equal(Cpu(150, 20), Tick(g, Reaped, Member(Root, 1, Cpu(10), Cpu(140, 20))).Kernel);
    }

    [Fact]
    public void A_reap_between_the_reads_of_a_tick_is_counted_once_the_tick_after()
    {
        var g = new GroupCounters();
        Tick(g, Reaped, Member(Root, 1, Cpu(10)), Member(Worker, 10, Cpu(5)));

        // The root was read before it reaped the worker, the worker after: gone, not yet in cutime.
        Assert.Equal(Cpu(15), Tick(g, Reaped, Member(Root, 1, Cpu(10))).Kernel);

        // Next tick the root's cutime holds the worker's 6 ticks (one more than seen).
        Assert.Equal(Cpu(16), Tick(g, Reaped, Member(Root, 1, Cpu(10), Cpu(6))).Kernel);
    }

    [Fact]
    public void A_zombie_counts_as_a_member_until_it_is_reaped()
    {
        var g = new GroupCounters();
        Tick(g, Reaped, Member(Root, 1, Cpu(10)), Member(Worker, 10, Cpu(5)));
        Assert.Equal(Cpu(18), Tick(g, Reaped, Member(Root, 1, Cpu(10)), Member(Worker, 10, Cpu(8))).Kernel); // exited: a zombie with 8

        Assert.Equal(Cpu(18), Tick(g, Reaped, Member(Root, 1, Cpu(10), Cpu(8))).Kernel); // reaped
    }

    [Fact]
    public void A_member_that_leaves_the_tree_alive_keeps_what_it_counted()
    {
        var g = new GroupCounters();
        Tick(g, Reaped, Member(Root, 1, Cpu(10)), Member(Worker, 10, Cpu(5), default, ioRead: 4096));

        // Re-parented out of the tree (its parent was a middle process that exited, say): still
        // alive, so nothing is expected in anyone's c-fields, and it is no longer followed.
        var after = Tick(g, _ => true, Member(Root, 1, Cpu(12)));
        Assert.Equal(Cpu(17), after.Kernel);
        Assert.Equal(4096, after.Seen.IoRead);
    }

    [Fact]
    public void A_reaper_that_never_shows_the_child_is_forgiven_after_a_few_ticks()
    {
        // The root ignores SIGCHLD: its children are reaped without accounting. What was seen of
        // the worker stays; the root's later c-growth (none here) is not held back for long.
        var g = new GroupCounters();
        Tick(g, Reaped, Member(Root, 1, Cpu(10)), Member(Worker, 10, Cpu(5)));
        for (var i = 0; i < GroupCounters.DebtTicks; i++)
        {
            Assert.Equal(Cpu(15), Tick(g, Reaped, Member(Root, 1, Cpu(10))).Kernel);
        }

        Assert.Equal(Cpu(65), Tick(g, Reaped, Member(Root, 1, Cpu(10), Cpu(50))).Kernel);
    }

    [Fact]
    public void A_grandchild_reaped_into_a_child_that_is_then_reaped_counts_once()
    {
        var g = new GroupCounters();
        var grandchild = new ProcessIdentity(12, 3);
        Tick(g, Reaped, Member(Root, 1, Cpu(10)), Member(Worker, 10, Cpu(5)), Member(grandchild, 11, Cpu(3)));

        // Between two ticks the grandchild (4 ticks at its end) was reaped by the worker (cutime 4),
        // which then exited (6 ticks) and was reaped by the root: cutime 6 + 4.
        Assert.Equal(Cpu(20), Tick(g, Reaped, Member(Root, 1, Cpu(10), Cpu(10))).Kernel);
    }

    [Fact]
    public void A_counter_the_kernel_shows_lower_is_taken_as_unchanged()
    {
        var g = new GroupCounters();
        Tick(g, Reaped, Member(Root, 1, Cpu(10, 10)));

        Assert.Equal(Cpu(10, 11), Tick(g, Reaped, Member(Root, 1, Cpu(9, 11))).Kernel);
        Assert.Equal(Cpu(11, 11), Tick(g, Reaped, Member(Root, 1, Cpu(10, 11))).Kernel);
    }

    [Fact]
    public void Reset_forgets_everything()
    {
        var g = new GroupCounters();
        Tick(g, Reaped, Member(Root, 1, Cpu(4)));

        g.Reset();

        Assert.Equal(Cpu(1), Tick(g, Reaped, Member(new ProcessIdentity(2, 2), 1, Cpu(1))).Kernel);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void A_random_tree_whose_orphans_stay_in_it_ends_at_the_roots_own_accounting(int seed)
    {
        // The root is a subreaper: nothing leaves the tree, so once every descendant is reaped the
        // root's utime + stime + cutime + cstime is everything the tree used.
        var kernel = new ToyKernel(new Random(seed), rootIsSubreaper: true);

        var last = Drive(kernel, seed, spawnUntil: 350, (_, _) => { });

        Assert.Equal(0, kernel.Descendants);
        Assert.Equal(kernel.RootTotal, last);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void A_random_tree_losing_orphans_to_init_never_falls_nor_exceeds_what_its_members_used(int seed)
    {
        var kernel = new ToyKernel(new Random(seed), rootIsSubreaper: false);

        Drive(kernel, seed, spawnUntil: 400, (tick, now) =>
            Assert.True(now.UserTicks <= kernel.UsedInTree.UserTicks && now.SystemTicks <= kernel.UsedInTree.SystemTicks, $"seed {seed}, tick {tick}: {now} > {kernel.UsedInTree}"));
    }

    /// <summary>400 ticks of the toy kernel, sampled each tick: the totals never fall; <paramref name="check"/> sees each.</summary>
    private static KernelCounters Drive(ToyKernel kernel, int seed, int spawnUntil, Action<int, KernelCounters> check)
    {
        var g = new GroupCounters();
        var last = default(KernelCounters);
        for (var tick = 0; tick < 400; tick++)
        {
            kernel.Step(spawn: tick < spawnUntil);
            var now = kernel.Sample(g);
            Assert.True(now.UserTicks >= last.UserTicks && now.SystemTicks >= last.SystemTicks, $"seed {seed}, tick {tick}: {last} -> {now}");
            check(tick, now);
            last = now;
        }

        return last;
    }

    /// <summary>
    /// Processes under a root (pid 10), with the kernel's accounting: a process's own ticks grow
    /// while it runs; an exited process is a zombie until its parent waits for it, which adds its
    /// utime + cutime to the parent's cutime (stime + cstime to cstime); the children of an exiting
    /// process go to the root (a subreaper) or to init (outside the tree); a parent ignoring
    /// SIGCHLD has its children vanish at exit without accounting.
    /// </summary>
    private sealed class ToyKernel(Random rng, bool rootIsSubreaper)
    {
        private const int RootPid = 10;
        private readonly Dictionary<int, Proc> _all = new() { [RootPid] = new Proc(RootPid, 1, 1, false) };
        private int _nextPid = RootPid + 1;
        private ulong _clock = 2;

        /// <summary>Live and zombie processes below the root.</summary>
        public int Descendants => Tree().Count - 1;

        public KernelCounters RootTotal => _all[RootPid].Own + _all[RootPid].Reaped;

        /// <summary>Every tick any process used while it was in the root's tree (an upper bound of what may be counted).</summary>
        public KernelCounters UsedInTree { get; private set; }

        public void Step(bool spawn)
        {
            _clock++;
            foreach (var p in Tree().Where(p => !p.Zombie).ToList())
            {
                if (p.Zombie || !_all.ContainsKey(p.Pid))
                {
                    continue; // exited or vanished earlier in this step
                }

                var user = (ulong)rng.Next(0, 4);
                var system = (ulong)rng.Next(0, 2);
                p.Own += new KernelCounters(user, system, user, 0);
                UsedInTree += new KernelCounters(user, system, user, 0);
                switch (rng.Next(10))
                {
                    case 0 when spawn && _all.Count < 30:
                        // Ignoring SIGCHLD loses a child's use from every c-field: only where the tree may lose it anyway.
                        var child = new Proc(_nextPid++, p.Pid, _clock, !rootIsSubreaper && rng.Next(6) == 0);
                        _all[child.Pid] = child;
                        break;
                    case 1 when p.Pid != RootPid:
                        Exit(p);
                        break;
                    case 2 or 3:
                        foreach (var z in _all.Values.Where(c => c.Parent == p.Pid && c.Zombie).ToList())
                        {
                            Wait(p, z);
                        }

                        break;
                }
            }

            if (!spawn)
            {
                // Wind down: every descendant exits and is waited for.
                foreach (var p in Tree().Where(p => p.Pid != RootPid && !p.Zombie).ToList())
                {
                    Exit(p);
                }

                foreach (var z in _all.Values.Where(c => c.Zombie).ToList())
                {
                    if (_all.TryGetValue(z.Parent, out var parent))
                    {
                        Wait(parent, z);
                    }
                }
            }
        }

        /// <summary>One tick of the sampler: the tree as the process table shows it, each read at once.</summary>
        public KernelCounters Sample(GroupCounters g)
        {
            g.Begin();
            foreach (var p in Tree())
            {
                g.Observe(new MemberCounters(new ProcessIdentity(p.Pid, p.Start), p.Parent, p.Own, p.Reaped, default));
            }

            return g.Total(id => _all.TryGetValue(id.Pid, out var p) && p.Start == id.StartTimeTicks).Kernel;
        }

        private List<Proc> Tree()
        {
            var result = new List<Proc> { _all[RootPid] };
            for (var i = 0; i < result.Count; i++)
            {
                result.AddRange(_all.Values.Where(c => c.Parent == result[i].Pid));
            }

            return result;
        }

        private void Exit(Proc p)
        {
            foreach (var orphan in _all.Values.Where(c => c.Parent == p.Pid))
            {
                orphan.Parent = rootIsSubreaper ? RootPid : 1; // pid 1 is outside: the tree loses it
            }

            if (_all.TryGetValue(p.Parent, out var parent) && parent.IgnoresChildren)
            {
                _all.Remove(p.Pid); // reaped at exit, accounted nowhere
            }
            else
            {
                p.Zombie = true;
            }
        }

        private void Wait(Proc parent, Proc zombie)
        {
            parent.Reaped += zombie.Own + zombie.Reaped;
            _all.Remove(zombie.Pid);
        }

        private sealed class Proc(int pid, int parent, ulong start, bool ignoresChildren)
        {
            public int Pid => pid;

            public int Parent { get; set; } = parent;

            public ulong Start => start;

            public bool IgnoresChildren => ignoresChildren;

            public bool Zombie { get; set; }

            public KernelCounters Own { get; set; }

            public KernelCounters Reaped { get; set; }
        }
    }
}
