using System.Numerics;
using System.Text;
using Agent.Procfs;

namespace Agent.Tests.Procfs;

/// <summary>
/// The rules of /proc/&lt;pid&gt;/status reading at the edges (proc(5): sizes in kB, counts as
/// unsigned decimals, Uid as four uid_t, NSpid one pid per nested namespace, outermost first):
/// a value the agent's types cannot hold is unreadable (null), never wrapped or clamped. The
/// expected values are computed here with <see cref="BigInteger"/> from the text the test writes.
/// </summary>
public class ProcStatusRuleTests
{
    private static ProcStatus Parse(string text) => ProcStatus.Parse(Encoding.ASCII.GetBytes(text));

    /// <summary>kB × 1024 when that fits a long (the agent's byte type), else null.</summary>
    private static long? BytesOf(BigInteger kb) => kb * 1024 <= long.MaxValue ? (long)(kb * 1024) : null;

    [Fact]
    public void The_largest_size_that_fits_in_bytes_is_read_and_one_kB_more_is_unreadable_not_wrapped()
    {
        var largest = BigInteger.Parse("9007199254740991"); // floor((2^63 - 1) / 1024)
        Assert.NotNull(BytesOf(largest));
        Assert.Null(BytesOf(largest + 1));

        foreach (var kb in new[] { largest, largest + 1, largest + 1000 })
        {
            var s = Parse($"VmRSS:\t{kb} kB\nVmHWM:\t{kb} kB\nVmSize:\t{kb} kB\nVmSwap:\t{kb} kB\n");

            Assert.Equal(BytesOf(kb), s.ResidentBytes);
            Assert.Equal(BytesOf(kb), s.ResidentPeakBytes);
            Assert.Equal(BytesOf(kb), s.VirtualBytes);
            Assert.Equal(BytesOf(kb), s.SwapBytes);
        }
    }

    [Theory]
    [InlineData("9223372036854775807")]  // long.MaxValue: still a count
    [InlineData("9223372036854775808")]  // one more: not a long
    [InlineData("18446744073709551615")] // u64 max, what an unsigned kernel counter can reach
    public void A_count_over_the_largest_long_is_unreadable_not_negative(string value)
    {
        var expected = BigInteger.Parse(value) <= long.MaxValue ? (long?)long.Parse(value) : null;

        var s = Parse($"Threads:\t{value}\nvoluntary_ctxt_switches:\t{value}\nnonvoluntary_ctxt_switches:\t{value}\n");

        Assert.Equal(expected, s.Threads);
        Assert.Equal(expected, s.VoluntaryContextSwitches);
        Assert.Equal(expected, s.InvoluntaryContextSwitches);
    }

    [Theory]
    [InlineData("x")]
    [InlineData("-3")]
    [InlineData("99999999999999999999999")] // beyond u64 too
    public void A_count_that_is_not_a_number_is_unreadable_not_zero(string value)
    {
        var s = Parse($"Threads:\t{value}\nvoluntary_ctxt_switches:\t{value}\nnonvoluntary_ctxt_switches:\t{value}\nUid:\t{value}\t0\t0\t0\n");

        Assert.Null(s.Threads);
        Assert.Null(s.VoluntaryContextSwitches);
        Assert.Null(s.InvoluntaryContextSwitches);
        Assert.Null(s.RealUid);
    }

    [Theory]
    [InlineData("2147483647")] // int.MaxValue: a valid uid
    [InlineData("2147483648")] // a valid uid_t, but not an int: unreadable rather than negative
    [InlineData("4294967294")]
    [InlineData("0")]
    public void The_real_uid_is_the_first_of_four_and_one_beyond_int_is_unreadable(string uid)
    {
        var expected = BigInteger.Parse(uid) <= int.MaxValue ? (int?)int.Parse(uid) : null;

        Assert.Equal(expected, Parse($"Uid:\t{uid}\t1\t2\t3\n").RealUid);
    }

    [Theory]
    [InlineData("4242\t7", 7)]                   // nested: the innermost is last
    [InlineData("4242", 4242)]                   // not in a child namespace
    [InlineData("4242\t7 \t", 7)]                // blanks after the list are not a pid
    [InlineData("4242\t2147483647", 2147483647)] // the largest int
    [InlineData("4242\t2147483648", null)]       // beyond an int
    [InlineData("4242\t0", null)]                // no process is pid 0
    [InlineData("4242\t7x", null)]               // a number followed by junk is not a pid
    [InlineData("", null)]
    [InlineData("\t ", null)]
    public void The_namespace_pid_is_the_last_whole_positive_number_of_NSpid(string list, int? expected)
    {
        Assert.Equal(expected, Parse($"NSpid:\t{list}\n").NamespacePid);
    }

    [Fact]
    public void Blanks_around_a_value_are_not_part_of_it()
    {
        // The kernel right-aligns sizes with spaces after a tab; a trailing blank (a hand-written
        // or copied file) does not make the value unreadable either.
        var s = Parse("VmRSS:\t   1740 kB \t\nThreads: \t 3\t\n");

        Assert.Equal(1740 * 1024, s.ResidentBytes);
        Assert.Equal(3, s.Threads);
    }

    [Theory]
    [InlineData("VmRSS: 5 kB\n", true)]
    [InlineData("VmRSSx: 5 kB\n", false)] // another key that starts the same
    [InlineData("xVmRSS: 5 kB\n", false)]
    [InlineData("vmrss: 5 kB\n", false)]  // keys are case-sensitive
    [InlineData(": 5 kB\n", false)]       // no key at all
    [InlineData("VmRSS 5 kB\n", false)]   // no colon
    public void Only_the_exact_key_names_a_field(string text, bool read)
    {
        Assert.Equal(read ? 5 * 1024 : null, Parse(text).ResidentBytes);
    }
}
