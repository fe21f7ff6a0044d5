using Agent.Procfs;

namespace Agent.Tests.Procfs;

/// <summary>The per-pid accessor over the fixture trees (tests/fixtures/proc, proc-pod).</summary>
public sealed class ProcFsTreeTests
{
    private static string TreeFile(string tree, params string[] parts) => Path.Combine([Fixtures.TreePath(tree), .. parts]);

    [Fact]
    public void A_fixture_tree_is_not_procfs_and_the_real_one_is()
    {
        Assert.False(Fixtures.Host().IsKernelProcfs);
        Assert.True(new ProcFs("/proc").IsKernelProcfs);
    }

    [Fact]
    public void Pids_are_the_numeric_entries_of_the_root()
    {
        var expected = Directory.GetDirectories(Fixtures.TreePath("proc-pod"))
            .Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit)).Select(n => int.Parse(n!)).Order();

        Assert.Equal(expected, Fixtures.Pod().EnumeratePids().Order());
    }

    [Fact]
    public void Kernel_threads_are_told_by_their_flag_not_their_pid()
    {
        Span<byte> buffer = stackalloc byte[1024];
        var host = Fixtures.Host();
        Assert.Equal(ProcReadStatus.Ok, host.Process(2).ReadStat(buffer, out var kthreadd, out _));
        Assert.True(kthreadd.IsKernelThread);
        Assert.Equal(ProcReadStatus.Ok, host.Process(3).ReadStat(buffer, out var kworker, out _));
        Assert.True(kworker.IsKernelThread);

        // In a pod pid 2 is the application.
        Assert.Equal(ProcReadStatus.Ok, Fixtures.Pod().Process(2).ReadStat(buffer, out var app, out var comm));
        Assert.False(app.IsKernelThread);
        Assert.Equal("app", System.Text.Encoding.UTF8.GetString(comm));

        // The same flag is what the kernel shows for this machine's kthreadd.
        var real = File.ReadAllText("/proc/2/stat");
        var flags = uint.Parse(real[(real.LastIndexOf(')') + 2)..].Split(' ')[6]);
        Assert.Equal(flags & ProcStat.KernelThreadFlag, new ProcFs("/proc").Process(2).ReadStat(buffer, out var live, out _) == ProcReadStatus.Ok && live.IsKernelThread ? ProcStat.KernelThreadFlag : 0u);
    }

    [Fact]
    public void Namespace_pid_is_the_last_NSpid()
    {
        Span<byte> buffer = stackalloc byte[4096];
        Assert.Equal(ProcReadStatus.Ok, Fixtures.Host().Process(4242).ReadStatus(buffer, out var nested));
        Assert.Equal(1, nested.NamespacePid);
        Assert.Equal(ProcReadStatus.Ok, Fixtures.Host().Process(100).ReadStatus(buffer, out var flat));
        Assert.Equal(100, flat.NamespacePid);
    }

    [Fact]
    public void Open_fds_of_a_fixture_are_counted_by_listing_not_by_directory_size()
    {
        var expected = Directory.GetFileSystemEntries(TreeFile("proc-pod", "2", "fd")).Length;

        Assert.Equal(ProcReadStatus.Ok, Fixtures.Pod().Process(2).CountFds(out var count));

        Assert.Equal(6, expected);
        Assert.Equal(expected, count);
    }

    [Fact]
    public void Socket_inodes_come_from_the_fd_links()
    {
        var inodes = new HashSet<ulong>();

        Assert.Equal(ProcReadStatus.Ok, Fixtures.Pod().Process(2).ReadSocketInodes(inodes));

        var expected = Directory.GetFileSystemEntries(TreeFile("proc-pod", "2", "fd"))
            .Select(f => new FileInfo(f).LinkTarget!)
            .Where(t => t.StartsWith("socket:[", StringComparison.Ordinal))
            .Select(t => ulong.Parse(t[8..^1]));
        Assert.Equal(expected.Order(), inodes.Order());
        Assert.Equal(ProcReadStatus.Gone, Fixtures.Pod().Process(999).ReadSocketInodes(inodes));
    }

    [Fact]
    public void Executable_name_drops_the_deleted_suffix_and_command_line_joins_arguments()
    {
        var host = Fixtures.Host();

        Assert.Equal("long-name-executable-x", host.Process(200).ExecutableName());
        Assert.Equal("/usr/bin/python3 /usr/bin/gunicorn -w 2 app:app", host.Process(100).CommandLine());
        Assert.Equal(string.Empty, host.Process(2).CommandLine());
        Assert.Equal(string.Empty, host.Process(999).CommandLine());
    }

    [Fact]
    public void Boot_time_comes_from_the_roots_stat()
    {
        var btime = File.ReadLines(TreeFile("proc", "stat")).Single(l => l.StartsWith("btime ", StringComparison.Ordinal))[6..];

        Assert.Equal(long.Parse(btime), new ProcSystem(Fixtures.Host()).BootTimeSeconds);
    }
}
