using Agent.Procfs;

namespace Agent.Tests.Procfs;

/// <summary>
/// One process directory's accessors on a tree written here (files as the kernel lays them out,
/// and what happens when they are missing, empty or not what they should be), and on this process.
/// </summary>
public sealed class ProcPidTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("procpid-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private ProcPid Pid(int pid, params (string Name, string Content)[] files)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_root, pid.ToString(System.Globalization.CultureInfo.InvariantCulture))).FullName;
        foreach (var (name, content) in files)
        {
            File.WriteAllText(Path.Combine(dir, name), content);
        }

        return new ProcFs(_root).Process(pid);
    }

    [Fact]
    public void Paths_are_under_the_pid_directory_and_self_is_its_own_entry()
    {
        var fs = new ProcFs(_root);
        var p = fs.Process(42);

        Assert.Equal(42, p.Pid);
        Assert.Equal(Path.Join(_root, "42"), p.Directory);
        Assert.Equal(Path.Join(_root, "42", "fd"), p.FdDirectory);
        Assert.Equal(Path.Join(_root, "42", "task"), p.TaskDirectory);
        Assert.Equal(Path.Join(_root, "42", "root", "tmp", "x.sock"), p.PathInRoot("/tmp/x.sock"));
        Assert.Equal(Path.Join(_root, "self"), fs.Self().Directory);
        Assert.Equal(Environment.ProcessId, fs.Self().Pid);
        Assert.False(p.Exists());
        Directory.CreateDirectory(p.Directory);
        Assert.True(p.Exists());
    }

    [Fact]
    public void Arguments_are_split_at_nul_and_a_missing_or_empty_cmdline_has_none()
    {
        Assert.Equal(["gunicorn: master [app:app]"], Pid(1, ("cmdline", "gunicorn: master [app:app]")).Arguments());
        Assert.Equal(["/usr/bin/python3", "app.py"], Pid(2, ("cmdline", "/usr/bin/python3\0app.py\0\0\0")).Arguments());
        Assert.Equal("/usr/bin/python3 app.py --port 8000", Pid(3, ("cmdline", "/usr/bin/python3\0app.py\0--port\08000\0")).CommandLine());
        Assert.Empty(Pid(4, ("cmdline", "")).Arguments());
        Assert.Empty(Pid(5, ("cmdline", "\0\0")).Arguments());
        Assert.Empty(Pid(6).Arguments()); // a kernel thread, or gone
        Assert.Equal(string.Empty, Pid(7).CommandLine());
    }

    [Fact]
    public void The_executable_name_is_the_exe_links_file_name_else_argv0s()
    {
        var p = Pid(10, ("cmdline", "/opt/app/bin/server\0--flag\0"));
        File.CreateSymbolicLink(Path.Combine(p.Directory, "exe"), "/usr/bin/dotnet");
        Assert.Equal("dotnet", p.ExecutableName());

        var replaced = Pid(11, ("cmdline", "x\0"));
        File.CreateSymbolicLink(Path.Combine(replaced.Directory, "exe"), "/srv/app (deleted)");
        Assert.Equal("app", replaced.ExecutableName());

        Assert.Equal("server", Pid(12, ("cmdline", "/opt/app/bin/server\0--flag\0")).ExecutableName()); // no exe link
        Assert.Equal("worker", Pid(13, ("cmdline", "worker\0")).ExecutableName());
        Assert.Equal(string.Empty, Pid(14).ExecutableName());
    }

    [Fact]
    public void Stat_status_io_and_limits_are_read_or_report_why_not()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var p = Pid(20, ("stat", stat), ("status", "Name:\tx\nThreads:\t3\nVmHWM:\t  100 kB\n"), ("io", "read_bytes: 4096\nwrite_bytes: 8192\n"), ("limits", File.ReadAllText("/proc/self/limits")));
        var buffer = new byte[8192];

        Assert.Equal(ProcReadStatus.Ok, p.ReadStat(buffer, out var s, out var comm));
        Assert.Equal(Environment.ProcessId, s.Pid);
        Assert.False(comm.IsEmpty);
        Assert.Equal(ProcReadStatus.Ok, p.ReadStatus(buffer, out var status));
        Assert.Equal(3L, status.Threads);
        Assert.Equal(ProcReadStatus.Ok, p.ReadIo(buffer, out var io));
        Assert.Equal((4096UL, 8192UL), (io.ReadBytes!.Value, io.WriteBytes!.Value));
        Assert.Equal(ProcReadStatus.Ok, p.ReadLimits(buffer, out var limits));
        Assert.True(limits.MaxOpenFilesSoft > 0);

        var gone = Pid(21);
        Assert.Equal(ProcReadStatus.Gone, gone.ReadStat(buffer, out _, out _));
        Assert.Equal(ProcReadStatus.Gone, gone.ReadStatus(buffer, out var noStatus));
        Assert.Equal(default, noStatus);
        Assert.Equal(ProcReadStatus.Gone, gone.ReadIo(buffer, out var noIo));
        Assert.Equal(default, noIo);
        Assert.Equal(ProcReadStatus.Gone, gone.ReadLimits(buffer, out var noLimits));
        Assert.Equal(default, noLimits);

        // A stat that is not a stat line: the process is treated as gone, not misread.
        Assert.Equal(ProcReadStatus.Gone, Pid(22, ("stat", "garbage\n")).ReadStat(buffer, out _, out _));
    }

    [Fact]
    public void Socket_inodes_are_collected_from_fd_links_only()
    {
        var p = Pid(30);
        var fd = Directory.CreateDirectory(p.FdDirectory).FullName;
        File.CreateSymbolicLink(Path.Combine(fd, "3"), "socket:[100]");
        File.CreateSymbolicLink(Path.Combine(fd, "4"), "socket:[200]");
        File.CreateSymbolicLink(Path.Combine(fd, "5"), "pipe:[300]");
        File.CreateSymbolicLink(Path.Combine(fd, "6"), "/dev/null");
        File.WriteAllText(Path.Combine(fd, "7"), "not a link");
        var inodes = new HashSet<ulong> { 1 };

        Assert.Equal(ProcReadStatus.Ok, p.ReadSocketInodes(inodes));
        Assert.Equal([1UL, 100UL, 200UL], inodes.Order());
        Assert.Equal(ProcReadStatus.Gone, Pid(31).ReadSocketInodes([]));
    }
}
