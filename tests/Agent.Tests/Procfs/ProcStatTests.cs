using System.Text;
using Agent.Procfs;

namespace Agent.Tests.Procfs;

public class ProcStatTests
{
    [Fact]
    public void Name_with_spaces_and_parentheses_is_split_at_the_last_parenthesis()
    {
        var text = Fixtures.Proc("stat-name-with-parens");

        Assert.True(ProcStat.TryParse(text, out var stat, out var comm));

        Assert.Equal("a) (b", Encoding.UTF8.GetString(comm));
        // Independent reading: the fields after the name, by proc(5) number.
        var fields = Fixtures.ProcText("stat-name-with-parens")[(Fixtures.ProcText("stat-name-with-parens").LastIndexOf(')') + 2)..].Split(' ');
        ulong F(int n) => ulong.Parse(fields[n - 3]);
        Assert.Equal('S', stat.State);
        Assert.Equal((int)F(4), stat.ParentPid);
        Assert.Equal(F(10), stat.MinorFaults);
        Assert.Equal(F(14), stat.UserTicks);
        Assert.Equal(F(15), stat.SystemTicks);
        Assert.Equal((long)F(20), stat.Threads);
        Assert.Equal(F(22), stat.StartTimeTicks);
        Assert.Equal(F(23), stat.VirtualBytes);
        Assert.Equal((long)F(24), stat.ResidentPages);
    }

    [Fact]
    public void Live_stat_of_this_process_agrees_with_Environment()
    {
        var text = File.ReadAllBytes("/proc/self/stat");

        Assert.True(ProcStat.TryParse(text, out var stat, out _));

        Assert.Equal(Environment.ProcessId, stat.Pid);
        Assert.True(stat.Threads >= 1);
        Assert.True(stat.ResidentPages > 0);
    }

    [Theory]
    [InlineData("stat-empty")]
    [InlineData("stat-truncated")]
    public void Empty_or_truncated_stat_is_rejected_without_throwing(string fixture)
    {
        Assert.False(ProcStat.TryParse(Fixtures.Proc(fixture), out _, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("()")]
    [InlineData("12 (x")]
    [InlineData("x (y) S 1 2 3")]
    [InlineData("-5 (y) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24")]
    [InlineData("99999999999999999999 (y) S 1")]
    [InlineData("1 (y) S 1 2 3 4 5 6 99999999999999999999999 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22")]
    public void Hostile_stat_lines_are_rejected(string line)
    {
        Assert.False(ProcStat.TryParse(Encoding.ASCII.GetBytes(line), out _, out _));
    }
}
