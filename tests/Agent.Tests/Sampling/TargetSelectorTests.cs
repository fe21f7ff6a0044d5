using System.Diagnostics;
using Agent.Procfs;
using Agent.Sampling;

namespace Agent.Tests.Sampling;

/// <summary>Selectors against real processes of this machine.</summary>
public sealed class TargetSelectorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("selector-").FullName;
    private readonly List<Process> _started = [];

    // Names of this run only: a sleeper left by another run of this suite on the machine (a killed
    // test host's child lives its 300 s) must not be the one found. Once failed that way: 637 for 4173.
    private static readonly string RunId = Guid.NewGuid().ToString("N")[..8];

    public void Dispose()
    {
        foreach (var p in _started)
        {
            try
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
            }

            p.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }

    private Process StartSleeper(string name, string argument = "300")
    {
        var exe = Path.Combine(_dir, name);
        if (!File.Exists(exe))
        {
            // Copied by cp, not by this process: a write descriptor of ours, inherited by a child
            // forked at that moment by a concurrent test, would make the exec fail with ETXTBSY.
            using var cp = Process.Start("cp", ["/bin/sleep", exe]);
            cp.WaitForExit();
            Assert.Equal(0, cp.ExitCode);
        }

        var p = Process.Start(new ProcessStartInfo(exe, argument) { UseShellExecute = false })!;
        _started.Add(p);
        return p;
    }

    private static readonly ProcFs Proc = new("/proc");

    private static ProcessTable Table() => ProcessTable.Scan(Proc);

    private static SelectionContext Context() => new(Proc, Environment.ProcessId);

    [Fact]
    public void Process_name_finds_the_process_by_comm()
    {
        var name = "sel1-" + RunId; // comm is 15 bytes: "sel1-" and 8 hex digits fit
        var p = StartSleeper(name);

        var selection = new ProcessNameSelector(name).Select(Context());

        Assert.Equal(p.Id, selection.Pid);
    }

    [Fact]
    public void Process_name_longer_than_comm_matches_the_executable_name()
    {
        var name = "selector-with-a-very-long-name-" + RunId;
        var p = StartSleeper(name);

        var selection = new ProcessNameSelector(name).Select(Context());

        Assert.Equal(p.Id, selection.Pid);
    }

    [Fact]
    public void Several_matches_pick_the_oldest()
    {
        // A name of this run only: another run of this suite on the machine starts its own pair.
        var name = "sel2-" + RunId;
        var first = StartSleeper(name);
        // Start times have clock-tick resolution: wait until the second one is visibly younger.
        var firstStart = Table().Find(first.Id)!.StartTimeTicks;
        Process second;
        do
        {
            second = StartSleeper(name);
        }
        while (Table().Find(second.Id)?.StartTimeTicks == firstStart);

        Assert.Equal(first.Id, new ProcessNameSelector(name).Select(Context()).Pid);
    }

    [Fact]
    public void Command_line_pattern_matches_arguments_joined_by_spaces()
    {
        var name = "sel3-" + RunId;
        var p = StartSleeper(name, "12345.5");

        var selection = new CommandLineSelector(Agent.Configuration.AgentSettings.CompilePattern($@"{name} 12345\.5$")).Select(Context());

        Assert.Equal(p.Id, selection.Pid);
    }

    [Fact]
    public void Pid_file_is_read_and_a_bad_one_is_explained()
    {
        var p = StartSleeper("sel-pidfile");
        var file = Path.Combine(_dir, "app.pid");
        File.WriteAllText(file, p.Id + "\n");

        Assert.Equal(p.Id, new PidFileSelector(file).Select(Context()).Pid);

        File.WriteAllText(file, "not a pid");
        var bad = new PidFileSelector(file).Select(Context());
        Assert.Null(bad.Pid);
        Assert.Contains("does not hold a pid", bad.Problem, StringComparison.Ordinal);

        var missing = new PidFileSelector(Path.Combine(_dir, "missing.pid")).Select(Context());
        Assert.Null(missing.Pid);
    }

    [Fact]
    public void Nothing_matching_is_not_found_with_a_reason()
    {
        var selection = new ProcessNameSelector("no-such-process-x").Select(Context());

        Assert.Null(selection.Pid);
        Assert.Contains("no process matches", selection.Problem, StringComparison.Ordinal);
    }
}
