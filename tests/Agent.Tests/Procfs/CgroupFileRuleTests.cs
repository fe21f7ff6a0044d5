using System.Text;
using Agent.Procfs;

namespace Agent.Tests.Procfs;

/// <summary>
/// One parser per cgroup interface file, on text the test writes in the kernel's layout
/// (Documentation/admin-guide/cgroup-v2.rst, cgroup-v1/memory.rst, accounting/psi.rst).
/// </summary>
public class CgroupFileRuleTests
{
    private static byte[] B(string s) => Encoding.ASCII.GetBytes(s);

    [Theory]
    [InlineData("20000 100000\n", 20000L, 100000L, false, 0.2)]
    [InlineData("150000 100000\n", 150000L, 100000L, false, 1.5)]
    [InlineData("max 100000\n", null, 100000L, true, null)]
    [InlineData("max\n", null, null, false, null)]          // no period: unreadable, not unlimited
    [InlineData("-1 100000\n", null, null, false, null)]
    [InlineData("20000\n", null, null, false, null)]
    [InlineData("", null, null, false, null)]
    public void Cpu_max(string text, long? quota, long? period, bool unlimited, double? cores)
    {
        var max = CgroupCpuMax.Parse(B(text));

        Assert.Equal(quota, max.QuotaMicros);
        Assert.Equal(period, max.PeriodMicros);
        Assert.Equal(unlimited, max.Unlimited);
        Assert.Equal(cores, max.Cores);
    }

    [Theory]
    [InlineData("-1\n", "100000\n", true, null)]
    [InlineData("20000\n", "100000\n", false, 0.2)]
    [InlineData("50000\n", "50000\n", false, 1.0)]
    [InlineData("-2\n", "100000\n", false, null)]
    [InlineData("20000\n", "x\n", false, null)]
    public void Cpu_cfs_quota_and_period_of_v1(string quota, string period, bool unlimited, double? cores)
    {
        var max = CgroupCpuMax.ParseV1(B(quota), B(period));

        Assert.Equal(unlimited, max.Unlimited);
        Assert.Equal(cores, max.Cores);
    }

    [Fact]
    public void Cpu_stat_v2_in_microseconds_and_v1_throttled_time_in_nanoseconds()
    {
        Assert.Equal(
            new CgroupCpuStat(9, 3, 2, 1500),
            CgroupCpuStat.Parse(B("usage_usec 9\nuser_usec 5\nsystem_usec 4\nnr_periods 3\nnr_throttled 2\nthrottled_usec 1500\nnr_bursts 0\nburst_usec 0\n")));
        Assert.Equal(
            new CgroupCpuStat(null, 3, 2, 1500),
            CgroupCpuStat.Parse(B("nr_periods 3\nnr_throttled 2\nthrottled_time 1500999\nnr_bursts 0\nburst_time 0\n")));
        // Prefixes of other keys do not match: nr_throttled is not nr_throttled_x.
        Assert.Equal(new CgroupCpuStat(null, null, null, null), CgroupCpuStat.Parse(B("nr_throttled_x 5\nusage 7\n")));
    }

    [Fact]
    public void Pressure_totals_some_and_full()
    {
        Assert.Equal(
            new CgroupPressure(172005021, 0),
            CgroupPressure.Parse(B("some avg10=85.70 avg60=51.25 avg300=33.63 total=172005021\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n")));
        Assert.Equal(new CgroupPressure(10, null), CgroupPressure.Parse(B("some avg10=0.00 avg60=0.00 avg300=0.00 total=10\n")));
        Assert.Equal(new CgroupPressure(null, 3), CgroupPressure.Parse(B("some avg10=1.00 total=x\nfull total=3\nother total=9\n")));
    }

    [Fact]
    public void Memory_events_keys_are_whole_words()
    {
        var events = CgroupMemoryEvents.Parse(B("low 1\nhigh 2\nmax 3\noom 4\noom_kill 5\noom_group_kill 6\n"));

        Assert.Equal(new CgroupMemoryEvents(2, 3, 4, 5), events);
        Assert.Equal(new CgroupMemoryEvents(null, null, null, 1), CgroupMemoryEvents.ParseOomControl(B("oom_kill_disable 0\nunder_oom 0\noom_kill 1\n")));
        Assert.Equal(new CgroupMemoryEvents(null, null, null, null), CgroupMemoryEvents.ParseOomControl(B("oom_kill_disable 0\nunder_oom 0\n"))); // before Linux 4.13
    }

    [Fact]
    public void Memory_stat_v2_reads_the_subtree_keys_and_v1_the_hierarchical_ones()
    {
        var v2 = CgroupMemoryStat.Parse(B("anon 10\nfile 20\ninactive_anon 1\ninactive_file 5\nactive_file 15\n"), 2);
        var v1 = CgroupMemoryStat.Parse(B("cache 1\nrss 2\ninactive_file 3\ntotal_cache 10\ntotal_rss 20\ntotal_inactive_file 4\n"), 1);

        Assert.Equal(new CgroupMemoryStat(10, 20, 5), v2);
        Assert.Equal(new CgroupMemoryStat(20, 10, 4), v1);
        Assert.Equal(95, v2.WorkingSet(100));
        Assert.Equal(0, v2.WorkingSet(3)); // never below zero
        Assert.Null(v2.WorkingSet(null));
        Assert.Null(new CgroupMemoryStat(1, 1, null).WorkingSet(100));
    }
}
