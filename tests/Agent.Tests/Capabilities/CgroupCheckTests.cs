using Agent.Capabilities;
using Agent.Procfs;

namespace Agent.Tests.Capabilities;

/// <summary>What <c>agent check</c> and /diag/capabilities say about a target's cgroup, on the cgroup fixture trees.</summary>
public class CgroupCheckTests
{
    private static List<Capability> Check(string tree)
    {
        var root = Fixtures.CgroupTree(tree);
        var fs = new ProcFs(Path.Join(root, "proc"));
        return [.. CgroupCheck.Inspect(fs.Process(4242), fs.Self(), root)];
    }

    [Fact]
    public void The_cgroup_found_how_it_is_reached_and_every_readable_file()
    {
        var found = Assert.Single(Check("v2-full"));

        Assert.Equal(("cgroup", CapabilityStatus.Available), (found.Name, found.Status));
        Assert.StartsWith("v2 /kubepods.slice/", found.Detail, StringComparison.Ordinal);
        Assert.Contains("through the agent's cgroup mount", found.Detail, StringComparison.Ordinal);
        foreach (var file in (string[])["memory.current", "memory.max", "memory.high", "memory.stat", "memory.events", "cpu.max", "cpu.stat", "cpu.pressure", "memory.pressure", "io.pressure", "pids.current", "pids.max"])
        {
            Assert.Contains(file, found.Detail, StringComparison.Ordinal);
        }

        Assert.Contains("OOM kills caught between ticks (inotify on memory.events)", found.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Files_of_controllers_the_cgroup_does_not_have_are_listed_as_not_applicable()
    {
        var items = Check("v2-no-controllers");

        Assert.Equal(CapabilityStatus.Available, items[0].Status);
        Assert.Contains("cpu.pressure", items[0].Detail, StringComparison.Ordinal);
        var missing = items.Skip(1).ToList();
        Assert.Equal(["cgroup:memory.current", "cgroup:memory.max", "cgroup:memory.high", "cgroup:memory.stat", "cgroup:memory.events", "cgroup:cpu.max", "cgroup:pids.current", "cgroup:pids.max"], missing.Select(m => m.Name));
        Assert.All(missing, m => Assert.Equal(CapabilityStatus.NotApplicable, m.Status));
        Assert.Contains("target_container_memory_working_set_bytes", missing[3].Affects, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cgroup_outside_the_agents_mount_is_unavailable_with_the_reason_and_the_fix()
    {
        var items = Check("v2-other-namespace");

        var memory = Assert.Single(items, i => i.Name == "cgroup:memory");
        Assert.Equal(CapabilityStatus.Unavailable, memory.Status);
        Assert.Contains("/../cri-containerd-aaaa.scope", memory.Detail, StringComparison.Ordinal);
        Assert.Contains("outside the agent's mount", memory.Detail, StringComparison.Ordinal);
        Assert.StartsWith("mount the node's /sys/fs/cgroup read-only", memory.Fix, StringComparison.Ordinal);
        Assert.DoesNotContain(items, i => i.Name == "cgroup" && i.Status == CapabilityStatus.Available);
    }

    [Fact]
    public void A_pod_app_reached_through_its_own_root_says_so()
    {
        var found = Check("v2-pod-private-namespace")[0];

        Assert.Equal(CapabilityStatus.Available, found.Status);
        Assert.StartsWith("v2 /../app through the target's root (", found.Detail, StringComparison.Ordinal);
    }
}
