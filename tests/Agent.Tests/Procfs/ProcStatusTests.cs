using Agent.Procfs;

namespace Agent.Tests.Procfs;

public class ProcStatusTests
{
    private static long? Kb(string fixture, string key)
    {
        var line = Fixtures.ProcText(fixture).Split('\n').FirstOrDefault(l => l.StartsWith(key + ":", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line.Split(':')[1].Trim().Split(' ')[0]) * 1024;
    }

    private static long? Int(string fixture, string key)
    {
        var line = Fixtures.ProcText(fixture).Split('\n').FirstOrDefault(l => l.StartsWith(key + ":", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line.Split(':')[1].Trim().Split('\t')[0]);
    }

    [Theory]
    [InlineData("status-sleep")]
    [InlineData("status-self")]
    public void Fields_match_the_file(string fixture)
    {
        var status = ProcStatus.Parse(Fixtures.Proc(fixture));

        Assert.Equal(Kb(fixture, "VmRSS"), status.ResidentBytes);
        Assert.Equal(Kb(fixture, "VmHWM"), status.ResidentPeakBytes);
        Assert.Equal(Kb(fixture, "VmSize"), status.VirtualBytes);
        Assert.Equal(Kb(fixture, "VmSwap"), status.SwapBytes);
        Assert.Equal(Int(fixture, "Threads"), status.Threads);
        Assert.Equal(Int(fixture, "voluntary_ctxt_switches"), status.VoluntaryContextSwitches);
        Assert.Equal(Int(fixture, "nonvoluntary_ctxt_switches"), status.InvoluntaryContextSwitches);
        Assert.Equal((int?)Int(fixture, "Uid"), status.RealUid);
        Assert.NotNull(status.SwapBytes);
    }

    [Fact]
    public void Old_kernel_without_newer_fields_leaves_them_null_not_zero()
    {
        var status = ProcStatus.Parse(Fixtures.Proc("status-old-kernel"));

        Assert.Null(status.SwapBytes);
        Assert.Null(status.VoluntaryContextSwitches);
        Assert.Null(status.InvoluntaryContextSwitches);
        Assert.Equal(Kb("status-old-kernel", "VmRSS"), status.ResidentBytes);
    }

    [Fact]
    public void Kernel_thread_has_no_memory_fields()
    {
        var status = ProcStatus.Parse(Fixtures.Proc("status-kernel-thread"));

        Assert.Null(status.ResidentBytes);
        Assert.Null(status.VirtualBytes);
        Assert.NotNull(status.Threads);
    }

    [Fact]
    public void Empty_and_truncated_status_do_not_throw()
    {
        var empty = ProcStatus.Parse([]);
        Assert.Null(empty.ResidentBytes);

        var truncated = ProcStatus.Parse(Fixtures.Proc("status-truncated"));
        Assert.Null(truncated.ResidentBytes); // VmRSS lies past the cut
    }

    [Theory]
    [InlineData("VmRSS:\t 12 MB\n")]
    [InlineData("VmRSS:\t kB\n")]
    [InlineData("VmRSS:\t 99999999999999999999 kB\n")]
    [InlineData("VmRSS:\t-12 kB\n")]
    [InlineData(":::\n\n\nVmRSS")]
    public void Hostile_values_are_dropped(string text)
    {
        Assert.Null(ProcStatus.Parse(System.Text.Encoding.ASCII.GetBytes(text)).ResidentBytes);
    }
}
