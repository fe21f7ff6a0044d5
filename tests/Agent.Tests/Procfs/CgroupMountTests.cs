using Agent.Procfs;

namespace Agent.Tests.Procfs;

/// <summary>Where a process's cgroup path lands under a cgroup mount whose root may be a sub-cgroup (a container's own view).</summary>
public class CgroupMountTests
{
    [Theory]
    [InlineData("/", "/sys/fs/cgroup", "/", "/sys/fs/cgroup")]
    [InlineData("/", "/sys/fs/cgroup", "/kubepods/pod1/app", "/sys/fs/cgroup/kubepods/pod1/app")]
    [InlineData("/", "/sys/fs/cgroup/", "/a", "/sys/fs/cgroup/a")]
    [InlineData("/kubepods/pod1", "/sys/fs/cgroup", "/kubepods/pod1", "/sys/fs/cgroup")]
    [InlineData("/kubepods/pod1/", "/sys/fs/cgroup", "/kubepods/pod1/app", "/sys/fs/cgroup/app")]
    [InlineData("/kubepods/pod1", "/sys/fs/cgroup", "/kubepods/pod1/app/worker", "/sys/fs/cgroup/app/worker")]
    [InlineData("", "/mnt/cg", "/x", "/mnt/cg/x")]
    public void A_cgroup_inside_the_mounted_subtree_resolves_under_the_mount_point(string root, string mount, string cgroup, string expected)
    {
        Assert.Equal(expected, new CgroupMount(root, mount).Resolve(cgroup)?.TrimEnd('/'));
    }

    [Theory]
    [InlineData("/kubepods/pod1", "/kubepods/pod2/app")]     // a sibling
    [InlineData("/kubepods/pod1", "/kubepods/pod10")]        // a prefix of the name, not of the path
    [InlineData("/kubepods/pod1", "/kubepods")]              // above the mounted cgroup
    [InlineData("/", "/../app")]                             // outside the reader's cgroup namespace
    [InlineData("/kubepods/pod1", "/kubepods/pod1/../pod2")]
    public void A_cgroup_outside_the_mounted_subtree_cannot_be_reached(string root, string cgroup)
    {
        Assert.Null(new CgroupMount(root, "/sys/fs/cgroup").Resolve(cgroup));
    }
}

/// <summary>The two value formats of cgroup files, at their edges (cgroup-v2.rst "Interface Files"; v1's PAGE_COUNTER_MAX).</summary>
public class CgroupFilesTests
{
    [Theory]
    [InlineData("123\n", 123L)]
    [InlineData("0", 0L)]
    [InlineData("9223372036854775807\n", long.MaxValue)]
    [InlineData("9223372036854775808\n", null)] // above long
    [InlineData("max\n", null)]
    [InlineData("-1\n", null)]
    [InlineData("12a\n", null)]
    [InlineData("\n", null)]
    [InlineData("", null)]
    public void A_single_value_is_a_non_negative_long_or_nothing(string text, long? expected)
    {
        Assert.Equal(expected, CgroupFiles.ParseValue(System.Text.Encoding.ASCII.GetBytes(text)));
    }

    [Theory]
    [InlineData("max\n", null, true)]
    [InlineData("104857600\n", 104857600L, false)]
    [InlineData("9223372036854771712\n", null, true)]  // v1 "no limit" with 4 KiB pages
    [InlineData("4611686018427387904\n", null, true)]  // 2^62: the threshold itself
    [InlineData("4611686018427387903\n", 4611686018427387903L, false)]
    [InlineData("maximum\n", null, false)]
    [InlineData("-5\n", null, false)]
    [InlineData("\n", null, false)]
    public void A_limit_is_bytes_or_unlimited_and_malformed_is_neither(string text, long? expected, bool unlimited)
    {
        Assert.Equal(expected, CgroupFiles.ParseLimit(System.Text.Encoding.ASCII.GetBytes(text), out var isUnlimited));
        Assert.Equal(unlimited, isUnlimited);
    }

    [Fact]
    public void A_flat_keyed_value_is_found_on_any_line_and_must_be_a_number()
    {
        var text = "low 0\nhigh 3\nmax 12\noom 2\noom_kill 1\n"u8;

        Assert.Equal(12, CgroupFiles.FlatKeyed(text, "max"u8));
        Assert.Equal(1, CgroupFiles.FlatKeyed(text, "oom_kill"u8));
        Assert.Equal(0, CgroupFiles.FlatKeyed(text, "low"u8));
        Assert.Null(CgroupFiles.FlatKeyed("oom_kill\n"u8, "oom_kill"u8));
        Assert.Null(CgroupFiles.FlatKeyed("oom_kill -1\n"u8, "oom_kill"u8));
        Assert.Null(CgroupFiles.FlatKeyed("oom_kill 9223372036854775808\n"u8, "oom_kill"u8));
        Assert.Null(CgroupFiles.FlatKeyed(""u8, "oom_kill"u8));
        Assert.Equal(5, CgroupFiles.FlatKeyed("under_oom 0\noom_kill 5"u8, "oom_kill"u8)); // no final newline
    }
}
