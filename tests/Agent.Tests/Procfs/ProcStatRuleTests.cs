using System.Globalization;
using System.Text;
using Agent.Procfs;

namespace Agent.Tests.Procfs;

/// <summary>
/// proc(5)'s /proc/&lt;pid&gt;/stat at its edges, on lines the test writes itself: field n (n ≥ 4)
/// holds 1000 + n, so every value the parser returns can be told from every other field.
/// A line with a missing or non-numeric field the agent uses is rejected whole.
/// </summary>
public class ProcStatRuleTests
{
    /// <summary>Fields (1) to (52) as a kernel ≥ 5 prints them, with (n) = 1000 + n from (4) on.</summary>
    private static string Line(string pid = "42", string state = "S", int? replace = null, string with = "")
    {
        var fields = Enumerable.Range(4, 49).Select(n => n == replace ? with : (1000 + n).ToString(CultureInfo.InvariantCulture));
        return $"{pid} (some name) {state} {string.Join(' ', fields)}\n";
    }

    private static bool Parse(string line, out ProcStat stat) => ProcStat.TryParse(Encoding.ASCII.GetBytes(line), out stat, out _);

    [Fact]
    public void Every_used_field_is_read_from_its_own_position()
    {
        Assert.True(Parse(Line(), out var s));

        Assert.Equal(42, s.Pid);
        Assert.Equal('S', s.State);
        Assert.Equal(1004, s.ParentPid);
        Assert.Equal(1009u, s.Flags);
        Assert.Equal(1010ul, s.MinorFaults);
        Assert.Equal(1011ul, s.ChildMinorFaults);
        Assert.Equal(1012ul, s.MajorFaults);
        Assert.Equal(1013ul, s.ChildMajorFaults);
        Assert.Equal(1014ul, s.UserTicks);
        Assert.Equal(1015ul, s.SystemTicks);
        Assert.Equal(1016ul, s.ChildUserTicks);
        Assert.Equal(1017ul, s.ChildSystemTicks);
        Assert.Equal(1020, s.Threads);
        Assert.Equal(1022ul, s.StartTimeTicks);
        Assert.Equal(1023ul, s.VirtualBytes);
        Assert.Equal(1024, s.ResidentPages);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(20)]
    [InlineData(22)]
    [InlineData(23)]
    [InlineData(24)]
    public void A_used_field_that_is_not_a_number_rejects_the_line(int field)
    {
        Assert.True(Parse(Line(replace: field, with: "1"), out _)); // the same line with a number there is fine
        Assert.False(Parse(Line(replace: field, with: "x"), out _));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(18)]
    [InlineData(21)]
    [InlineData(25)]
    public void A_field_the_agent_does_not_use_may_hold_anything(int field)
    {
        Assert.True(Parse(Line(replace: field, with: "x"), out var s));
        Assert.Equal(1024, s.ResidentPages);
    }

    [Fact]
    public void A_line_that_ends_before_the_rss_field_is_rejected()
    {
        var upToRss = string.Join(' ', Line().Split(' ').Take(24 + 1)); // the name "(some name)" is two tokens
        var beforeRss = string.Join(' ', Line().Split(' ').Take(24));

        Assert.True(Parse(upToRss, out var s));
        Assert.Equal(1024, s.ResidentPages);
        Assert.False(Parse(beforeRss, out _));
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("2147483647", true)]  // the largest pid an int holds (pid_max is at most 2^22)
    [InlineData("0", false)]          // no task is pid 0 in /proc
    [InlineData("2147483648", false)]
    [InlineData("-1", false)]
    public void The_pid_is_a_positive_int(string pid, bool accepted)
    {
        Assert.Equal(accepted, Parse(Line(pid: pid), out var s));
        if (accepted)
        {
            Assert.Equal(int.Parse(pid, CultureInfo.InvariantCulture), s.Pid);
        }
    }

    [Theory]
    [InlineData("R", "1", true)]
    [InlineData("S", "1", true)]
    [InlineData("D", "1", true)]
    [InlineData("T", "1", true)]
    [InlineData("I", "1", true)]
    [InlineData("Z", "1", false)] // zombie: exited, waiting for its parent
    [InlineData("Z", "2", true)]  // its leader thread exited (pthread_exit from main), another thread runs on
    [InlineData("X", "1", false)] // dead
    [InlineData("x", "1", false)] // dead (2.6.33 to 3.13)
    public void A_process_is_alive_while_any_of_its_threads_is(string state, string threads, bool alive)
    {
        Assert.True(Parse(Line(state: state, replace: 20, with: threads), out var s));
        Assert.Equal(alive, s.IsAlive);
        Assert.Equal(state == "Z" && !alive, s.IsZombie);
        Assert.Equal(state == "Z" && alive, s.LeaderExited);
    }

    [Theory]
    [InlineData(0x00200000u, true)]  // PF_KTHREAD alone
    [InlineData(0x00208040u, true)]  // with other flags
    [InlineData(0x00400140u, false)] // a user task's flags (PF_FORKNOEXEC | PF_RANDOMIZE ...)
    [InlineData(0u, false)]
    public void A_kernel_thread_is_told_by_the_PF_KTHREAD_bit_alone(uint flags, bool kernel)
    {
        Assert.True(Parse(Line(replace: 9, with: flags.ToString(CultureInfo.InvariantCulture)), out var s));
        Assert.Equal(kernel, s.IsKernelThread);
    }
}
