using System.Globalization;
using System.Text;
using Agent.Procfs;

namespace Agent.Tests.Procfs;

public class ProcCredentialsTests
{
    /// <summary>The same fields read the plain way: split on tabs.</summary>
    private static string[] Fields(string text, string key) =>
        text.Split('\n').Single(l => l.StartsWith(key + ":", StringComparison.Ordinal))[(key.Length + 1)..].Split('\t', StringSplitOptions.RemoveEmptyEntries);

    [Theory]
    [InlineData("status-self")]
    [InlineData("status-sleep")]
    [InlineData("status-kernel-thread")]
    public void Uids_and_effective_capabilities_match_the_file(string fixture)
    {
        var text = Fixtures.ProcText(fixture);

        var c = ProcStatus.Parse(Fixtures.Proc(fixture)).Credentials;

        Assert.Equal(int.Parse(Fields(text, "Uid")[0], CultureInfo.InvariantCulture), c.RealUid);
        Assert.Equal(int.Parse(Fields(text, "Uid")[1], CultureInfo.InvariantCulture), c.EffectiveUid);
        Assert.Equal(ulong.Parse(Fields(text, "CapEff")[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture), c.EffectiveCapabilities);
    }

    [Fact]
    public void A_live_process_reads_the_same_as_this_process_credentials()
    {
        var c = ProcStatus.Parse(File.ReadAllBytes("/proc/self/status")).Credentials;

        // Independent source: the id(1) tool.
        var psi = new System.Diagnostics.ProcessStartInfo("id", "-u") { RedirectStandardOutput = true };
        using var id = System.Diagnostics.Process.Start(psi)!;
        var uid = int.Parse(id.StandardOutput.ReadToEnd().Trim(), CultureInfo.InvariantCulture);
        id.WaitForExit();

        Assert.Equal(uid, c.EffectiveUid);
    }

    [Theory]
    [InlineData("000001ffffffffff", true, true)]
    [InlineData("0000000000080000", true, false)]   // CAP_SYS_PTRACE alone (bit 19)
    [InlineData("0000000000000002", false, true)]   // CAP_DAC_OVERRIDE alone (bit 1)
    [InlineData("0000000000000000", false, false)]
    public void Capability_bits_are_read_from_the_hex_mask(string mask, bool ptrace, bool dacOverride)
    {
        var c = ProcStatus.Parse(Encoding.ASCII.GetBytes($"Name:\tx\nUid:\t1\t2\t3\t4\nCapEff:\t{mask}\n")).Credentials;

        Assert.Equal(ptrace, c.Has(ProcCredentials.CapSysPtrace));
        Assert.Equal(dacOverride, c.Has(ProcCredentials.CapDacOverride));
        Assert.Equal(1, c.RealUid);
        Assert.Equal(2, c.EffectiveUid);
    }

    [Theory]
    [InlineData("Uid:\tx\t0\nCapEff:\tzz\n")]
    [InlineData("CapEff:\t00000000000000000000\n")]
    [InlineData("")]
    public void Malformed_lines_stay_unknown(string text)
    {
        var c = ProcStatus.Parse(Encoding.ASCII.GetBytes(text)).Credentials;

        Assert.Null(c.RealUid);
        Assert.Null(c.Has(ProcCredentials.CapSysPtrace));
    }
}

/// <summary>ProcCredentials' edges: each malformed Uid or CapEff form, read independently of the other line.</summary>
public class ProcCredentialsEdgeTests
{
    private static ProcCredentials Parse(string status) => ProcStatus.Parse(Encoding.ASCII.GetBytes(status)).Credentials;

    [Theory]
    [InlineData("Uid:\t1000\t1001\t1002\t1003\n", 1000, 1001)]
    [InlineData("Uid: 5 6 7 8\n", 5, 6)]
    [InlineData("Uid:\t7\n", 7, null)]                        // only one field
    [InlineData("Uid:\t4294967295\t0\t0\t0\n", null, 0)]       // (uid_t)-1
    [InlineData("Uid:\t2147483647\t1\t1\t1\n", 2147483647, 1)] // the largest that fits an int: the same rule as ProcStatus (one parse of status now)
    [InlineData("Uid:\t2147483648\t1\t1\t1\n", null, 1)]       // one beyond is unreadable
    [InlineData("Uid:\t2147483646\t1\t1\t1\n", 2147483646, 1)]
    [InlineData("Uid:\tx\t1\t1\t1\n", null, 1)]
    [InlineData("Uid:\n", null, null)]
    [InlineData("Uid:\t0\t0\t0\t0", 0, 0)]                     // no final newline
    [InlineData("Uids:\t1\t2\t3\t4\nUi:\t1\n", null, null)]    // other keys
    [InlineData(":\t1\nUid\t1\t2\n", null, null)]               // no key, no colon
    public void Uid_lines(string status, int? real, int? effective)
    {
        var c = Parse("Name:\tx\n" + status);

        Assert.Equal(real, c.RealUid);
        Assert.Equal(effective, c.EffectiveUid);
        Assert.Null(c.EffectiveCapabilities);
        Assert.Null(c.Has(ProcCredentials.CapSysPtrace));
    }

    [Theory]
    [InlineData("0000000000000000", 0UL)]
    [InlineData("000001ffffffffff", 0x1ffffffffffUL)]
    [InlineData("FFFFFFFFFFFFFFFF", ulong.MaxValue)]
    [InlineData("abcdefABCDEF0189", 0xabcdefABCDEF0189UL)]
    [InlineData(" 80000 ", 0x80000UL)]
    [InlineData("80000\t", 0x80000UL)]
    public void CapEff_is_a_hexadecimal_mask(string value, ulong mask)
    {
        Assert.Equal(mask, Parse($"CapEff:\t{value}\n").EffectiveCapabilities);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10000000000000000")] // 17 digits
    [InlineData("00000000000g0000")]
    [InlineData("0x80000")]
    [InlineData("-1")]
    public void A_malformed_mask_is_unknown_not_zero(string value)
    {
        var c = Parse($"Uid:\t1\t1\t1\t1\nCapEff:\t{value}\n");

        Assert.Null(c.EffectiveCapabilities);
        Assert.Null(c.Has(ProcCredentials.CapDacOverride));
        Assert.Equal(1, c.RealUid);
    }

    [Theory]
    [InlineData(0x80000UL, ProcCredentials.CapSysPtrace, true)]
    [InlineData(0x7ffffUL, ProcCredentials.CapSysPtrace, false)]
    [InlineData(0x2UL, ProcCredentials.CapDacOverride, true)]
    [InlineData(0x1UL, ProcCredentials.CapDacOverride, false)]
    [InlineData(0x8000000000000000UL, 63, true)]
    public void Has_tests_one_bit(ulong mask, int capability, bool has)
    {
        Assert.Equal(has, new ProcCredentials(0, 0, mask).Has(capability));
        Assert.Equal(19, ProcCredentials.CapSysPtrace);
        Assert.Equal(1, ProcCredentials.CapDacOverride);
    }
}
