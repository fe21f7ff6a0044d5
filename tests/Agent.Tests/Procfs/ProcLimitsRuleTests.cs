using System.Text;
using Agent.Procfs;

namespace Agent.Tests.Procfs;

/// <summary>
/// The "Max open files" row of /proc/&lt;pid&gt;/limits (fs/proc/base.c: "%-25s %-20s %-20s %-10s",
/// a number or "unlimited" per column), on tables the test writes in that layout.
/// </summary>
public class ProcLimitsRuleTests
{
    private static string Row(string name, string soft, string hard, string units) =>
        $"{name,-25} {soft,-20} {hard,-20} {units,-10}\n";

    private static ProcLimits Parse(string soft, string hard) => ProcLimits.Parse(Encoding.ASCII.GetBytes(
        Row("Limit", "Soft Limit", "Hard Limit", "Units") +
        Row("Max processes", "777", "888", "processes") +
        Row("Max open files", soft, hard, "files") +
        Row("Max locked memory", "999", "999", "bytes")));

    [Theory]
    [InlineData("1024", "4096")]
    [InlineData("1019", "524289")]   // every last digit 0-9 is part of the number
    [InlineData("1", "10")]
    [InlineData("0", "18446744073709551615")] // RLIM_INFINITY is printed as "unlimited", but any u64 is a limit
    public void Soft_and_hard_come_from_their_own_columns(string soft, string hard)
    {
        var limits = Parse(soft, hard);

        Assert.Equal(double.Parse(soft, System.Globalization.CultureInfo.InvariantCulture), limits.MaxOpenFilesSoft);
        Assert.Equal(double.Parse(hard, System.Globalization.CultureInfo.InvariantCulture), limits.MaxOpenFilesHard);
    }

    [Theory]
    [InlineData("1023")]
    [InlineData("1024")]
    [InlineData("1025")]
    [InlineData("1026")]
    [InlineData("1027")]
    [InlineData("1028")]
    [InlineData("1029")]
    [InlineData("1020")]
    public void A_limit_ending_in_any_digit_is_a_number(string soft)
    {
        Assert.Equal(double.Parse(soft, System.Globalization.CultureInfo.InvariantCulture), Parse(soft, "unlimited").MaxOpenFilesSoft);
    }

    [Theory]
    [InlineData("12abc")]
    [InlineData("12:")]
    [InlineData("1a2")]
    [InlineData("unlimitedx")]
    [InlineData("-5")]
    public void A_column_that_is_not_a_whole_number_or_unlimited_is_unreadable(string soft)
    {
        var limits = Parse(soft, "4096");

        Assert.Null(limits.MaxOpenFilesSoft);
        Assert.Equal(4096, limits.MaxOpenFilesHard); // the other column is still read
    }

    [Fact]
    public void Unlimited_in_either_column_is_infinity()
    {
        Assert.Equal((1024.0, double.PositiveInfinity), (Parse("1024", "unlimited").MaxOpenFilesSoft!.Value, Parse("1024", "unlimited").MaxOpenFilesHard!.Value));
        Assert.Equal((double.PositiveInfinity, 1024.0), (Parse("unlimited", "1024").MaxOpenFilesSoft!.Value, Parse("unlimited", "1024").MaxOpenFilesHard!.Value));
    }

    [Fact]
    public void Without_the_row_both_limits_are_unknown()
    {
        var limits = ProcLimits.Parse(Encoding.ASCII.GetBytes(Row("Limit", "Soft Limit", "Hard Limit", "Units") + Row("Max processes", "7", "8", "processes")));

        Assert.Null(limits.MaxOpenFilesSoft);
        Assert.Null(limits.MaxOpenFilesHard);
    }
}
