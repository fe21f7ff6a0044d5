using Agent.Configuration;

namespace Agent.Tests.Configuration;

public class ByteSizeTests
{
    [Theory]
    [InlineData("20MiB", 20971520d, true)]
    [InlineData("20 mib", 20971520d, true)]
    [InlineData("512KiB", 524288d, true)]
    [InlineData("1.5GiB", 1610612736d, true)]
    [InlineData("1TiB", 1099511627776d, true)]
    [InlineData("0.8", 0.8, false)]
    [InlineData("1e3", 1000d, false)]
    public void Sizes_and_plain_numbers_parse(string text, double expected, bool unit)
    {
        Assert.True(ByteSize.TryParse(text, out var value, out var hadUnit));
        Assert.Equal(expected, value);
        Assert.Equal(unit, hadUnit);
    }

    [Theory]
    [InlineData("")]
    [InlineData("MiB")]
    [InlineData("20MB")]
    [InlineData("20 M")]
    [InlineData("NaN")]
    [InlineData("1e400")]
    [InlineData("20,5MiB")]
    public void Anything_else_does_not(string text) => Assert.False(ByteSize.TryParse(text, out _, out _));

    [Fact]
    public void Formats_in_the_largest_unit() =>
        Assert.Equal(["20 MiB", "1.5 GiB", "512 KiB", "100 B"], new[] { 20971520d, 1610612736d, 524288d, 100d }.Select(ByteSize.Format));
}
