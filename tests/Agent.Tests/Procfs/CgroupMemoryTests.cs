using System.Text;
using Agent.Procfs;

namespace Agent.Tests.Procfs;

public class CgroupMemoryTests
{
    private static CgroupMemory? ReadTree(string tree, out string? problem)
    {
        var root = Fixtures.CgroupTree(tree);
        var fs = new ProcFs(Path.Join(root, "proc"));
        return CgroupMemoryReader.Read(fs.Process(4242), fs.Self(), root, out problem);
    }

    [Fact]
    public void V1_hybrid_reads_the_memory_controller_hierarchy()
    {
        var memory = ReadTree("v1", out var problem);

        Assert.Null(problem);
        Assert.NotNull(memory);
        Assert.Equal(1, memory.Version);
        Assert.EndsWith("sys/fs/cgroup/memory/process_api/d07743db", memory.Directory, StringComparison.Ordinal);
        Assert.Equal(4833280, memory.CurrentBytes);
        Assert.Equal(268435456, memory.LimitBytes);
        Assert.False(memory.Unlimited);
        Assert.Equal(3, memory.OomKills);
        Assert.Null(memory.OomEvents);
    }

    [Fact]
    public void V1_no_limit_is_unlimited_not_a_huge_number()
    {
        var memory = ReadTree("v1-unlimited", out _);

        Assert.NotNull(memory);
        Assert.True(memory.Unlimited);
        Assert.Null(memory.LimitBytes);
    }

    [Fact]
    public void V2_reads_current_max_and_events()
    {
        var memory = ReadTree("v2", out var problem);

        Assert.Null(problem);
        Assert.NotNull(memory);
        Assert.Equal(2, memory.Version);
        Assert.EndsWith("cri-containerd-9f8e.scope", memory.Directory, StringComparison.Ordinal);
        Assert.Equal(7340032, memory.CurrentBytes);
        Assert.True(memory.Unlimited);
        Assert.Equal(2, memory.OomKills);
        Assert.Equal(2, memory.OomEvents);
    }

    [Fact]
    public void V2_mount_point_with_an_escaped_space_and_a_limit()
    {
        var memory = ReadTree("v2-limited", out var problem);

        Assert.Null(problem);
        Assert.NotNull(memory);
        Assert.EndsWith("cg root/app", memory.Directory, StringComparison.Ordinal);
        Assert.Equal(536870912, memory.LimitBytes);
        Assert.Equal(0, memory.OomKills);
    }

    [Fact]
    public void A_cgroup_of_another_namespace_is_reported_with_the_reason()
    {
        var memory = ReadTree("v2-other-namespace", out var problem);

        Assert.Null(memory);
        Assert.Contains("outside", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0::/a\n", "/a", null)]
    [InlineData("4:memory:/x\n0::/\n", "/", "/x")]
    [InlineData("4:cpu,memory:/y\n", null, "/y")]
    [InlineData("4:memoryx:/y\n1::/z\n", null, null)]
    [InlineData("garbage\n0:/a\n::\n", null, null)]
    public void Cgroup_lines(string text, string? unified, string? memory)
    {
        var cgroup = ProcCgroup.Parse(Encoding.ASCII.GetBytes(text));

        Assert.Equal(unified, cgroup.UnifiedPath);
        Assert.Equal(memory, cgroup.MemoryV1Path);
    }

    [Theory]
    [InlineData("max\n", null, true)]
    [InlineData("536870912\n", 536870912L, false)]
    [InlineData("9223372036854771712\n", null, true)]
    [InlineData("-1\n", null, false)]
    [InlineData("12k\n", null, false)]
    [InlineData("", null, false)]
    [InlineData("4611686018427387904\n", null, true)]  // 2^62: the threshold itself
    [InlineData("4611686018427387903\n", 4611686018427387903L, false)]
    [InlineData("maximum\n", null, false)]
    [InlineData("\n", null, false)]
    public void Limits(string text, long? value, bool unlimited)
    {
        Assert.Equal(value, CgroupFiles.ParseLimit(Encoding.ASCII.GetBytes(text), out var u));
        Assert.Equal(unlimited, u);
    }

    [Fact]
    public void Flat_keyed_values_match_by_whole_key()
    {
        var text = "oom 1\noom_kill 7\noom_group_kill 9\n"u8;

        Assert.Equal(7, CgroupFiles.FlatKeyed(text, "oom_kill"u8));
        Assert.Equal(1, CgroupFiles.FlatKeyed(text, "oom"u8));
        Assert.Null(CgroupFiles.FlatKeyed(text, "max"u8));
        Assert.Null(CgroupFiles.FlatKeyed("oom_kill x\n"u8, "oom_kill"u8));
        Assert.Equal(0, CgroupFiles.FlatKeyed("low 0\nhigh 3\n"u8, "low"u8));
        Assert.Null(CgroupFiles.FlatKeyed("oom_kill\n"u8, "oom_kill"u8));
        Assert.Null(CgroupFiles.FlatKeyed("oom_kill -1\n"u8, "oom_kill"u8));
        Assert.Null(CgroupFiles.FlatKeyed("oom_kill 9223372036854775808\n"u8, "oom_kill"u8));
        Assert.Null(CgroupFiles.FlatKeyed(""u8, "oom_kill"u8));
        Assert.Equal(5, CgroupFiles.FlatKeyed("under_oom 0\noom_kill 5"u8, "oom_kill"u8)); // no final newline
    }

    [Fact]
    public void This_process_on_this_machine_agrees_with_the_files_read_directly()
    {
        var fs = new ProcFs("/proc");
        var memory = CgroupMemoryReader.Read(fs.Process(Environment.ProcessId), fs.Self(), "/", out var problem);
        Assert.True(memory is not null, problem);

        // Independent: the cgroup line and the files, read as text.
        var lines = File.ReadAllLines($"/proc/{Environment.ProcessId}/cgroup");
        var v1 = lines.Select(l => l.Split(':', 3)).FirstOrDefault(p => p[1].Split(',').Contains("memory"));
        if (v1 is not null && Directory.Exists("/sys/fs/cgroup/memory"))
        {
            var dir = "/sys/fs/cgroup/memory" + v1[2];
            Assert.Equal(1, memory.Version);
            Assert.Equal(dir, memory.Directory);
            var limit = ulong.Parse(File.ReadAllText($"{dir}/memory.limit_in_bytes").Trim());
            Assert.Equal(limit >= 1UL << 62, memory.Unlimited);
            var oomKill = File.ReadAllLines($"{dir}/memory.oom_control").Select(l => l.Split(' ')).Single(p => p[0] == "oom_kill")[1];
            Assert.Equal(long.Parse(oomKill), memory.OomKills);
            Assert.InRange(memory.CurrentBytes!.Value, 1, long.MaxValue);
        }
        else
        {
            var path = lines.Single(l => l.StartsWith("0::", StringComparison.Ordinal))[3..];
            var dir = Path.Join("/sys/fs/cgroup", path.TrimStart('/')).TrimEnd('/');
            Assert.Equal(2, memory.Version);
            Assert.Equal(dir, memory.Directory.TrimEnd('/'));
            // The values too, read as text: memory.max ("max" or bytes), memory.events' oom_kill.
            // The root cgroup has neither file: the agent then has no limit and no count either.
            var max = Path.Combine(dir, "memory.max");
            if (File.Exists(max))
            {
                var text = File.ReadAllText(max).Trim();
                Assert.Equal(text == "max", memory.Unlimited);
                Assert.Equal(text == "max" ? null : long.Parse(text), memory.LimitBytes);
                var oomKill = File.ReadAllLines(Path.Combine(dir, "memory.events")).Select(l => l.Split(' ')).Single(p => p[0] == "oom_kill")[1];
                Assert.Equal(long.Parse(oomKill), memory.OomKills);
                Assert.InRange(memory.CurrentBytes!.Value, 1, long.MaxValue);
            }
            else
            {
                Assert.Null(memory.LimitBytes);
            }
        }
    }
}
