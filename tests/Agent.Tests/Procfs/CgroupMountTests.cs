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
}

