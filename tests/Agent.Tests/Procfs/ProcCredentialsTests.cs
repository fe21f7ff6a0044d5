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

        var c = ProcCredentials.Parse(Fixtures.Proc(fixture));

        Assert.Equal(int.Parse(Fields(text, "Uid")[0], CultureInfo.InvariantCulture), c.RealUid);
        Assert.Equal(int.Parse(Fields(text, "Uid")[1], CultureInfo.InvariantCulture), c.EffectiveUid);
        Assert.Equal(ulong.Parse(Fields(text, "CapEff")[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture), c.EffectiveCapabilities);
    }

    [Fact]
    public void A_live_process_reads_the_same_as_this_process_credentials()
    {
        var c = ProcCredentials.Parse(File.ReadAllBytes("/proc/self/status"));

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
        var c = ProcCredentials.Parse(Encoding.ASCII.GetBytes($"Name:\tx\nUid:\t1\t2\t3\t4\nCapEff:\t{mask}\n"));

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
        var c = ProcCredentials.Parse(Encoding.ASCII.GetBytes(text));

        Assert.Null(c.RealUid);
        Assert.Null(c.Has(ProcCredentials.CapSysPtrace));
    }
}
