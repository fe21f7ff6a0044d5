using System.Diagnostics;
using Agent.Procfs;

namespace Agent.Tests.Procfs;

/// <summary>
/// Boot time and clock ticks (proc(5): /proc/stat btime; starttime is in clock ticks since boot)
/// and the fd count (entries of a directory; on a kernel procfs, the size the kernel reports).
/// Oracles: `getconf CLK_TCK`, the test's own directory listings.
/// </summary>
public sealed class ProcSystemAndFdCountTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("procsystem-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static long GetconfClockTicks()
    {
        using var p = Process.Start(new ProcessStartInfo("getconf", ["CLK_TCK"]) { RedirectStandardOutput = true })!;
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return long.Parse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Start_time_is_boot_time_plus_start_ticks_over_the_clock_rate()
    {
        File.WriteAllText(Path.Combine(_root, "stat"), "cpu  1 2 3 4\nintr 5\nbtime 1700000000\nprocesses 9\n");
        var system = new ProcSystem(new ProcFs(_root));
        var hz = GetconfClockTicks();

        Assert.Equal(hz, system.ClockTicksPerSecond);
        Assert.Equal(1_700_000_000, system.BootTimeSeconds);
        Assert.Equal(2.5, system.TicksToSeconds((ulong)(2.5 * hz)));
        Assert.Equal(1_700_000_000 + 12.0, system.StartTimeSeconds((ulong)(12 * hz)));
    }

    [Fact]
    public void Uptime_is_read_to_the_hundredth_in_clock_ticks_and_this_machines_agrees_with_a_new_process()
    {
        var hz = GetconfClockTicks();
        File.WriteAllText(Path.Combine(_root, "uptime"), "350735.47 234388.90\n");
        var system = new ProcSystem(new ProcFs(_root));

        Assert.Equal((ulong)(35_073_547 * hz / 100), system.UptimeTicks());
        Assert.Equal((ulong)(35_073_447 * hz / 100), system.BootTicksAgo(TimeSpan.FromSeconds(1)));
        Assert.Equal((ulong)(12 * hz), ProcSystem.ParseUptimeTicks("12\n"u8, hz));
        Assert.Equal((ulong)(125 * hz / 10), ProcSystem.ParseUptimeTicks("12.5 1.0\n"u8, hz));
        Assert.Null(ProcSystem.ParseUptimeTicks("up 12"u8, hz));
        Assert.Null(new ProcSystem(new ProcFs(Path.Combine(_root, "nowhere"))).UptimeTicks());

        // On this kernel a process started just now has a start time within a few ticks of uptime.
        using var sleeper = Process.Start("sleep", ["5"])!;
        var started = ulong.Parse(File.ReadAllText($"/proc/{sleeper.Id}/stat").Split(") ")[1].Split(' ')[19], System.Globalization.CultureInfo.InvariantCulture);
        var now = new ProcSystem(new ProcFs("/proc")).UptimeTicks()!.Value;
        sleeper.Kill();
        Assert.InRange((long)now - (long)started, 0, hz);
    }

    [Fact]
    public void Without_a_readable_stat_boot_time_is_0()
    {
        Assert.Equal(0, new ProcSystem(new ProcFs(_root)).BootTimeSeconds);
    }

    [Fact]
    public void A_plain_directory_is_counted_entry_by_entry()
    {
        for (var i = 0; i < 5; i++)
        {
            File.WriteAllText(Path.Combine(_root, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), "");
        }

        Assert.Equal(ProcReadStatus.Ok, ProcFdCount.Count(_root, sizeIsCount: false, out var count));
        Assert.Equal(5, count);
    }

    [Fact]
    public void Where_the_size_is_the_count_the_count_is_the_size_stat_reports()
    {
        // Linux ≥ 6.2 reports the fd count as the size of /proc/<pid>/fd; when told so the count is
        // taken from st_size as stat(1) shows it (here an ordinary directory, whose size is not its
        // number of entries, tells the two sources apart).
        for (var i = 0; i < 3; i++)
        {
            File.WriteAllText(Path.Combine(_root, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), "");
        }

        using var p = Process.Start(new ProcessStartInfo("stat", ["-c", "%s", _root]) { RedirectStandardOutput = true })!;
        var size = long.Parse(p.StandardOutput.ReadToEnd().Trim(), System.Globalization.CultureInfo.InvariantCulture);
        p.WaitForExit();

        Assert.NotEqual(3, size);
        Assert.Equal(ProcReadStatus.Ok, ProcFdCount.Count(_root, sizeIsCount: true, out var count));
        Assert.Equal(size, count);
        Assert.Equal(ProcReadStatus.Ok, ProcFdCount.Count(_root, sizeIsCount: false, out var listed));
        Assert.Equal(3, listed);
    }

    [Fact]
    public void A_path_that_cannot_be_listed_is_gone_not_a_count()
    {
        var file = Path.Combine(_root, "not-a-directory");
        File.WriteAllText(file, "x");

        Assert.Equal(ProcReadStatus.Gone, ProcFdCount.Count(file, sizeIsCount: false, out var count));
        Assert.Equal(0, count);
    }

    [Fact]
    public void A_missing_directory_is_gone_with_a_count_of_0()
    {
        Assert.Equal(ProcReadStatus.Gone, ProcFdCount.Count(Path.Combine(_root, "nope"), sizeIsCount: true, out var count));
        Assert.Equal(0, count);
        Assert.Equal(ProcReadStatus.Gone, ProcFdCount.Count(Path.Combine(_root, "nope"), sizeIsCount: false, out count));
        Assert.Equal(0, count);
    }

    [Fact]
    public void On_procfs_a_directory_size_of_0_means_unknown_not_empty()
    {
        // /proc/<pid>/task reports size 0 but lists one entry per thread.
        using var idle = Process.Start(new ProcessStartInfo("/bin/sleep", ["30"]))!;
        try
        {
            Assert.Equal(ProcReadStatus.Ok, ProcFdCount.Count($"/proc/{idle.Id}/task", sizeIsCount: true, out var count));
            Assert.Equal(Directory.GetDirectories($"/proc/{idle.Id}/task").Length, count);
            Assert.Equal(1, count);
        }
        finally
        {
            idle.Kill();
        }
    }

    [Fact]
    public void On_procfs_the_fd_count_equals_the_listing()
    {
        using var idle = Process.Start(new ProcessStartInfo("/bin/sleep", ["30"]) { RedirectStandardInput = true })!;
        try
        {
            // Until exec completes, the child still holds the runtime's close-on-exec descriptors: take the
            // count between two equal listings of a process that is already `sleep`.
            var dir = $"/proc/{idle.Id}";
            var deadline = DateTime.UtcNow.AddSeconds(10);
            long before, after, count;
            do
            {
                before = Directory.GetFileSystemEntries($"{dir}/fd").Length;
                Assert.Equal(ProcReadStatus.Ok, ProcFdCount.Count($"{dir}/fd", sizeIsCount: true, out count));
                after = Directory.GetFileSystemEntries($"{dir}/fd").Length;
            }
            while ((before != after || File.ReadAllText($"{dir}/comm").Trim() != "sleep") && DateTime.UtcNow < deadline);

            Assert.Equal(before, after);
            Assert.Equal(after, count);
        }
        finally
        {
            idle.Kill();
        }
    }
}
