using Agent.Configuration;
using Agent.Sampling;

namespace Agent.Tests.Sampling;

/// <summary>
/// Selectors on the fixture trees: a host (systemd, kernel threads, gunicorn master + workers) and
/// a pod's shared PID namespace (pause as pid 1, the app as pid 2, pilot-agent + envoy, the agent
/// as pid 6, an orphan adopted by pause, a zombie).
/// </summary>
public sealed class SelectorTreeTests
{
    private const int HostAgent = 300;
    private const int PodAgent = 6;

    private static SelectionContext Host() => new(Fixtures.Host(), HostAgent);

    private static SelectionContext Pod() => new(Fixtures.Pod(), PodAgent);

    /// <summary>(pid, ppid, comm) of every process of a tree, read with string splitting, not the agent's parser.</summary>
    private static List<(int Pid, int Ppid, string Comm, char State)> Listing(string tree) =>
        Directory.GetDirectories(Fixtures.TreePath(tree))
            .Where(d => Path.GetFileName(d).All(char.IsAsciiDigit))
            .Select(d => File.ReadAllText(Path.Combine(d, "stat")))
            .Select(line =>
            {
                var comm = line[(line.IndexOf('(') + 1)..line.LastIndexOf(')')];
                var rest = line[(line.LastIndexOf(')') + 2)..].Split(' ');
                return (int.Parse(line[..line.IndexOf(' ')]), int.Parse(rest[1]), comm, rest[0][0]);
            })
            .ToList();

    [Fact]
    public void Process_name_picks_the_master_of_a_pre_fork_server()
    {
        var gunicorns = Listing("proc").Where(p => p.Comm == "gunicorn").ToList();
        var master = gunicorns.Single(p => !gunicorns.Any(q => q.Pid == p.Ppid)).Pid;

        Assert.Equal(3, gunicorns.Count);
        Assert.Equal(master, new ProcessNameSelector("gunicorn").Select(Host()).Pid);
    }

    [Fact]
    public void Process_name_longer_than_comm_matches_the_executable_even_if_deleted()
    {
        Assert.Equal(200, new ProcessNameSelector("long-name-executable-x").Select(Host()).Pid);
    }

    [Fact]
    public void Kernel_threads_never_match_a_name_or_a_pattern()
    {
        Assert.Null(new ProcessNameSelector("kthreadd").Select(Host()).Pid);
        Assert.Null(new CommandLineSelector(AgentSettings.CompilePattern("^$")).Select(Host()).Pid);
    }

    [Fact]
    public void Command_line_pattern_and_pid_and_a_missing_pid()
    {
        Assert.Equal(4242, new CommandLineSelector(AgentSettings.CompilePattern(@"Api\.dll$")).Select(Host()).Pid);
        Assert.Equal(101, new PidSelector(101).Select(Host()).Pid);
        Assert.Null(new PidSelector(999).Select(Host()).Pid);
    }

    [Fact]
    public void The_agents_ancestors_are_never_candidates()
    {
        // The agent (300) runs under systemd (1), whose command line this pattern matches.
        Assert.Null(new CommandLineSelector(AgentSettings.CompilePattern("^/sbin/init$")).Select(Host()).Pid);
        Assert.Equal(1, new CommandLineSelector(AgentSettings.CompilePattern("^/sbin/init$")).Select(new SelectionContext(Fixtures.Host(), 9999)).Pid); // an agent outside this tree
    }

    [Theory]
    [InlineData("gunicorn", "gunicorn")]
    [InlineData("fifteen-chars-x", "fifteen-chars-x")]
    [InlineData("long-name-executable-x", "long-name-execu")]
    [InlineData("überwachungsdienst", "überwachungsdi")] // 15 bytes: ü is two
    [InlineData("abcdefghijklmnö-svc", "abcdefghijklmn\uFFFD")] // the cut splits ö: decoded as the agent decodes comm
    public void A_configured_name_is_cut_to_15_bytes_of_UTF_8_as_the_kernel_cuts_comm(string name, string comm)
    {
        Assert.Equal(comm, ProcessNameSelector.KernelComm(name));

        // As the kernel does it: the first 15 bytes of the name, decoded like a comm read from stat.
        var kernel = System.Text.Encoding.UTF8.GetBytes(name).Take(15).ToArray();
        Assert.Equal(System.Text.Encoding.UTF8.GetString(kernel), ProcessNameSelector.KernelComm(name));
    }

    [Fact]
    public void The_agent_never_selects_itself_by_name()
    {
        Assert.Null(new ProcessNameSelector("agent").Select(Pod()).Pid);
        Assert.Equal(PodAgent, new ProcessNameSelector("agent").Select(new SelectionContext(Fixtures.Pod(), 1234)).Pid);
    }

    [Fact]
    public void Pod_top_level_processes_leave_out_pause_the_agent_zombies_and_children()
    {
        var listing = Listing("proc-pod");
        // Independent rule: parent 0 or pause (pid 1), not pause, not the agent, not a zombie.
        var expected = listing
            .Where(p => (p.Ppid == 0 || p.Ppid == 1) && p.Comm != "pause" && p.Pid != PodAgent && p.State != 'Z')
            .Select(p => p.Pid).Order();

        var top = PodLayout.TopLevel(ProcessTable.Scan(Fixtures.Pod()), PodAgent);

        Assert.Equal(expected, top.Select(p => p.Pid).Order());
        Assert.Contains(top, p => p.Pid == 2); // the app as pid 2 is an ordinary process here
        Assert.DoesNotContain(top, p => p.Comm == "envoy"); // a child of pilot-agent, not top-level
    }

    [Fact]
    public void On_a_host_kernel_threads_and_the_agents_ancestry_are_not_top_level()
    {
        // systemd (pid 1) is the agent's ancestor and not a pod init; kthreadd is a kernel thread
        // (PF_KTHREAD) with parent 0: nothing is top-level, so Auto discovers nothing.
        Assert.Empty(Host().TopLevel);
        Assert.Equal(new[] { 2, 3, 7 }, Pod().TopLevel.Select(p => p.Pid).Order());
    }

    [Fact]
    public void The_table_is_scanned_once_per_context_and_only_on_demand()
    {
        var context = Pod();
        Assert.Equal(2, new PidSelector(2).Select(context).Pid);
        Assert.False(context.Scanned);

        _ = new ProcessNameSelector("app").Select(context);
        var table = context.Table;
        _ = new CommandLineSelector(AgentSettings.CompilePattern("envoy")).Select(context);

        Assert.True(context.Scanned);
        Assert.Same(table, context.Table);
    }

    [Fact]
    public void The_table_leaves_out_zombies_and_walks_trees()
    {
        var table = ProcessTable.Scan(Fixtures.Pod());

        Assert.Null(table.Find(11));
        Assert.Equal(new[] { 2, 8 }, table.Tree(2).Select(p => p.Pid));
        Assert.Equal(new[] { 3, 5 }, table.Tree(3).Select(p => p.Pid));
        Assert.Empty(table.Tree(999));
    }
}
