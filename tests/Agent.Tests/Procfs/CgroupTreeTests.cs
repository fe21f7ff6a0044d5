using Agent.Procfs;

namespace Agent.Tests.Procfs;

/// <summary>
/// The cgroup locator and reader on fixture trees (tests/fixtures/cgroup/&lt;tree&gt;: a fake
/// filesystem root holding proc/self/mountinfo, proc/4242/cgroup and the cgroup files), one tree
/// per layout: a Kubernetes v2 container with every controller, v2 without limits, a child of an
/// empty v2 hierarchy (no controllers), garbage in every file, this machine's v1 hybrid, and a
/// pod whose app is only reachable through its own root.
/// </summary>
public class CgroupTreeTests
{
    private static (CgroupPaths? Paths, CgroupValues Values, string? Problem) Read(string tree)
    {
        var root = Fixtures.CgroupTree(tree);
        var fs = new ProcFs(Path.Join(root, "proc"));
        var paths = CgroupLocator.Locate(fs.Process(4242), fs.Self(), root, out var problem);
        return (paths, paths is null ? default : CgroupReader.Read(paths, new byte[16 * 1024]), problem);
    }

    [Fact]
    public void V2_container_with_every_controller()
    {
        var (paths, v, _) = Read("v2-full");

        Assert.NotNull(paths);
        Assert.Empty(paths.Problems);
        Assert.Equal(2, paths.Version);
        Assert.Equal(CgroupRoute.AgentMount, paths.Route);
        Assert.EndsWith("cri-containerd-c0ffee.scope", paths.Memory!.Path, StringComparison.Ordinal);
        Assert.Equal(CgroupFile.None, v.Missing);

        Assert.Equal(471859200, v.MemoryUsage);
        Assert.Equal(536870912, v.MemoryLimit);
        Assert.False(v.MemoryUnlimited);
        Assert.Null(v.MemoryHigh); // max
        Assert.Equal(419430400, v.MemoryStat.Anon);
        Assert.Equal(52428800, v.MemoryStat.File);
        Assert.Equal(471859200 - 39845888, v.WorkingSet); // usage - inactive_file: 412 MiB
        Assert.Equal(412.0 / 512, v.WorkingSetRatio!.Value, 6);
        Assert.Equal(new CgroupMemoryEvents(High: 0, Max: 17, Oom: 1, OomKill: 1), v.MemoryEvents);

        Assert.Equal(0.5, v.CpuMax.Cores);
        Assert.Equal(123456789, v.CpuUsageMicros);
        Assert.Equal(new CgroupCpuStat(123456789, 4000, 1500, 98765432), v.CpuStat);
        Assert.Equal(new CgroupPressure(5000000, 2000000), v.CpuPressure);
        Assert.Equal(new CgroupPressure(750000, 250000), v.MemoryPressure);
        Assert.Equal(new CgroupPressure(1234, 567), v.IoPressure);
        Assert.Equal(12, v.Pids);
        Assert.Equal(4096, v.PidsLimit);
    }

    [Fact]
    public void V2_max_everywhere_is_unlimited_never_a_number()
    {
        var (_, v, _) = Read("v2-max");

        Assert.True(v.MemoryUnlimited);
        Assert.Null(v.MemoryLimit);
        Assert.Null(v.WorkingSetRatio);
        Assert.Null(v.MemoryHigh);
        Assert.True(v.CpuMax.Unlimited);
        Assert.Null(v.CpuMax.Cores);
        Assert.Null(v.PidsLimit);
        Assert.Equal(3, v.Pids);
        Assert.Equal(CgroupFile.None, v.Missing);
    }

    [Fact]
    public void A_cgroup_without_controllers_reports_what_is_missing_and_reads_the_rest()
    {
        var (paths, v, _) = Read("v2-no-controllers");

        Assert.NotNull(paths);
        var missing = CgroupFile.MemoryUsage | CgroupFile.MemoryLimit | CgroupFile.MemoryHigh | CgroupFile.MemoryStat | CgroupFile.MemoryEvents
            | CgroupFile.CpuMax | CgroupFile.PidsCurrent | CgroupFile.PidsMax;
        Assert.Equal(missing, v.Missing);
        Assert.Null(v.MemoryUsage);
        Assert.Null(v.WorkingSet);
        Assert.Null(v.MemoryEvents.OomKill);
        Assert.Null(v.CpuStat.Periods); // no cpu controller: no throttling counters, not 0
        Assert.Equal(42000, v.CpuUsageMicros); // cpu.stat's usage is there without the controller
        Assert.Equal(777, v.CpuPressure.SomeMicros);
        Assert.Null(v.Pids);
    }

    [Fact]
    public void Garbage_in_every_file_is_unreadable_not_zero()
    {
        var (_, v, _) = Read("v2-garbage");

        Assert.Null(v.MemoryUsage);
        Assert.Null(v.MemoryLimit);
        Assert.False(v.MemoryUnlimited);
        Assert.Null(v.MemoryHigh);
        Assert.Null(v.MemoryStat.File);
        Assert.Null(v.MemoryStat.InactiveFile);
        Assert.Null(v.WorkingSet);
        Assert.Equal(default, v.MemoryEvents);
        Assert.Null(v.CpuMax.Cores);
        Assert.False(v.CpuMax.Unlimited);
        Assert.Null(v.CpuUsageMicros);
        Assert.Null(v.CpuStat.Periods);
        Assert.Null(v.CpuStat.ThrottledPeriods);
        Assert.Null(v.CpuStat.ThrottledMicros);
        Assert.Equal(default, v.CpuPressure);
        Assert.Equal(default, v.MemoryPressure);
        Assert.Equal(default, v.IoPressure);
        Assert.Null(v.Pids);
        Assert.Null(v.PidsLimit);
    }

    [Fact]
    public void V1_hybrid_reads_each_controller_from_its_own_hierarchy_and_pressure_from_v2()
    {
        var (paths, v, _) = Read("v1-hybrid");

        Assert.NotNull(paths);
        Assert.Equal(1, paths.Version);
        Assert.EndsWith("memory/process_api/app", paths.Memory!.Path, StringComparison.Ordinal);
        Assert.EndsWith("cpu/app", paths.Cpu!.Path, StringComparison.Ordinal);
        Assert.EndsWith("cpuacct/app", paths.CpuUsage!.Path, StringComparison.Ordinal);
        Assert.EndsWith("pids/app", paths.Pids!.Path, StringComparison.Ordinal);
        Assert.EndsWith("unified/app", paths.Pressure!.Path, StringComparison.Ordinal);
        Assert.Equal(CgroupFile.None, v.Missing); // memory.high does not exist on v1 and is not asked for

        Assert.Equal(100663296, v.MemoryUsage);
        Assert.Equal(134217728, v.MemoryLimit);
        Assert.Equal(83886080, v.MemoryStat.Anon);   // total_rss, not rss
        Assert.Equal(16777216, v.MemoryStat.File);   // total_cache, not cache
        Assert.Equal(100663296 - 12582912, v.WorkingSet); // total_inactive_file
        Assert.Equal(new CgroupMemoryEvents(null, null, null, 2), v.MemoryEvents);
        Assert.Equal(0.2, v.CpuMax.Cores);
        Assert.Equal(new CgroupCpuStat(null, 250, 200, 16_000_000), v.CpuStat); // throttled_time is ns
        Assert.Equal(5_000_000, v.CpuUsageMicros); // cpuacct.usage ns, not the unified cpu.stat
        Assert.Equal(3_000_000, v.CpuPressure.SomeMicros);
        Assert.Equal(2, v.Pids);
        Assert.Null(v.PidsLimit);
    }

    [Fact]
    public void Pod_with_private_cgroup_namespaces_is_read_through_the_targets_root()
    {
        var (paths, v, _) = Read("v2-pod-private-namespace");

        Assert.NotNull(paths);
        Assert.Empty(paths.Problems);
        Assert.Equal(CgroupRoute.TargetRoot, paths.Route);
        Assert.Equal(Path.Join(Fixtures.CgroupTree("v2-pod-private-namespace"), "proc", "4242", "root", "sys", "fs", "cgroup"), paths.Memory!.Path);
        Assert.Equal("/../app", paths.CgroupPath);
        Assert.Equal(52428800, v.MemoryUsage);
        Assert.Equal(104857600, v.MemoryLimit);
        Assert.Equal(4242, v.CpuPressure.SomeMicros);
        Assert.Null(v.CpuPressure.FullMicros); // a kernel before 5.13 has no "full" line for cpu
    }

    [Fact]
    public void Another_namespace_without_access_to_the_targets_root_says_why_and_the_fix()
    {
        var (paths, _, _) = Read("v2-other-namespace");

        Assert.NotNull(paths);
        Assert.Null(paths.Memory);
        var memory = Assert.Single(paths.Problems, p => p.StartsWith("memory:", StringComparison.Ordinal));
        Assert.Contains("/../cri-containerd-aaaa.scope", memory, StringComparison.Ordinal);
        Assert.Contains("outside the agent's mount", memory, StringComparison.Ordinal);
        Assert.Contains("fix:", memory, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/", "/sys/fs/cgroup", "/a/b", "/sys/fs/cgroup/a/b")]
    [InlineData("/", "/sys/fs/cgroup", "/", "/sys/fs/cgroup")]
    [InlineData("/kubepods/pod1", "/sys/fs/cgroup", "/kubepods/pod1/c1", "/sys/fs/cgroup/c1")]
    [InlineData("/kubepods/pod1", "/sys/fs/cgroup", "/kubepods/pod10", null)]
    [InlineData("/../app", "/sys/fs/cgroup", "/../app", "/sys/fs/cgroup")]
    [InlineData("/../app", "/sys/fs/cgroup", "/../app/worker", "/sys/fs/cgroup/worker")]
    [InlineData("/", "/sys/fs/cgroup", "/../app", null)]
    [InlineData("/../..", "/sys/fs/cgroup", "/../app", null)]
    public void A_mount_reaches_its_root_and_below_only(string root, string mountPoint, string cgroup, string? expected)
    {
        Assert.Equal(expected, new CgroupMount(root, mountPoint).Resolve(cgroup));
    }

    [Fact]
    public void A_mount_hidden_by_a_later_mount_on_the_same_point_or_a_parent_is_skipped()
    {
        var text = """
            60 50 0:38 /../.. /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            61 50 0:32 /../.. /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            66 50 0:38 /../app /sys/fs/cgroup rw,relatime - cgroup2 none rw
            67 66 0:40 / /sys/fs/cgroup/sub rw,relatime - tmpfs tmpfs rw

            """u8;

        var mounts = ProcMountInfo.Parse(text);

        Assert.Equal(new CgroupMount("/../app", "/sys/fs/cgroup"), mounts.Unified);
        Assert.Null(mounts.MemoryV1); // under /sys/fs/cgroup, mounted over afterwards
    }

    [Fact]
    public void V1_lines_name_each_controller_of_a_comounted_hierarchy()
    {
        var cgroup = ProcCgroup.Parse("3:cpu,cpuacct:/a\n4:memory:/b\n5:pids:/c\n1:name=systemd:/d\n0::/e\n"u8);

        Assert.Equal("/a", cgroup.V1Path("cpu"));
        Assert.Equal("/a", cgroup.V1Path("cpuacct"));
        Assert.Equal("/b", cgroup.V1Path("memory"));
        Assert.Equal("/c", cgroup.V1Path("pids"));
        Assert.Null(cgroup.V1Path("cpuset"));
        Assert.Null(cgroup.V1Path("systemd"));
        Assert.Equal("/e", cgroup.UnifiedPath);
    }
}
