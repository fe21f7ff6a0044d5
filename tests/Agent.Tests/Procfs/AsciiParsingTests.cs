using System.Globalization;
using System.Text;
using Agent.Procfs;

namespace Agent.Tests.Procfs;

/// <summary>
/// The three number rules every /proc and cgroup parser shares (a whole decimal token, the kernel's
/// <c>N kB</c>, hexadecimal), each checked against .NET's own parser of the same text.
/// </summary>
public class AsciiParsingTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("42")]
    [InlineData("18446744073709551615")] // ulong.MaxValue
    [InlineData("18446744073709551616")] // one beyond
    [InlineData("")]
    [InlineData("12abc")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("1.5")]
    public void A_decimal_token_is_digits_and_nothing_else(string text)
    {
        var expected = text.Length > 0 && text.All(char.IsAsciiDigit) && ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : (ulong?)null;
        Assert.Equal(expected, AsciiParsing.TryParseDecimal(Encoding.ASCII.GetBytes(text), out var parsed) ? parsed : null);
    }

    [Theory]
    [InlineData("\t    1740 kB", 1740L * 1024)]
    [InlineData("   1636 kB", 1636L * 1024)]
    [InlineData("0 kB", 0L)]
    [InlineData("9007199254740991 kB", 9007199254740991L * 1024)] // long.MaxValue / 1024
    [InlineData("9007199254740992 kB", null)]                      // would not fit in bytes
    [InlineData("1740", null)]
    [InlineData("1740 MB", null)]
    [InlineData("17a0 kB", null)]
    [InlineData("-1 kB", null)]
    public void A_kB_value_is_bytes_or_nothing(string text, long? bytes)
    {
        Assert.Equal(bytes, AsciiParsing.Kilobytes(Encoding.ASCII.GetBytes(text)));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0100007F")]
    [InlineData("000001ffffffffff")]
    [InlineData("FFFFFFFFFFFFFFFF")]
    [InlineData("1FFFFFFFFFFFFFFFF")] // 17 digits
    [InlineData("")]
    [InlineData("0x1F")]
    [InlineData("1G")]
    public void Hexadecimal_agrees_with_dotnet(string text)
    {
        var expected = text.Length is > 0 and <= 16 && ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v) ? v : (ulong?)null;
        Assert.Equal(expected, AsciiParsing.TryParseHex(Encoding.ASCII.GetBytes(text), out var parsed) ? parsed : null);
    }
}
