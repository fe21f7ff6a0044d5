using System.Diagnostics;
using System.Text;
using Agent.Procfs;

namespace Agent.Tests.Procfs;

public class ProcSmapsRollupTests
{
    [Fact]
    public void Fields_match_the_file_read_as_text()
    {
        var expected = KilobyteLines(Fixtures.ProcText("smaps_rollup-self"));

        var rollup = ProcSmapsRollup.Parse(Fixtures.Proc("smaps_rollup-self"));

        Assert.Equal(expected["Rss"], rollup.Rss);
        Assert.Equal(expected["Pss"], rollup.Pss);
        Assert.Equal(expected["Pss_Anon"], rollup.PssAnon);
        Assert.Equal(expected["Pss_File"], rollup.PssFile);
        Assert.Equal(expected["Pss_Shmem"], rollup.PssShmem);
        Assert.Equal(expected["Anonymous"], rollup.Anonymous);
        Assert.Equal(expected["Swap"], rollup.Swap);
        Assert.Equal(expected["SwapPss"], rollup.SwapPss);
    }

    [Fact]
    public void A_kernel_without_the_pss_split_leaves_it_null_not_zero()
    {
        var rollup = ProcSmapsRollup.Parse(Fixtures.Proc("smaps_rollup-4.14"));

        Assert.NotNull(rollup.Rss);
        Assert.Null(rollup.PssAnon);
        Assert.Null(rollup.PssFile);
        Assert.Null(rollup.PssShmem);
    }

    [Theory]
    [InlineData("Rss: 12\n")]
    [InlineData("Rss: 12 MB\n")]
    [InlineData("Rss: 1x2 kB\n")]
    [InlineData("Rss: 99999999999999999999 kB\n")]
    [InlineData("Rss:9007199254740993 kB\n")]
    public void Malformed_values_are_null(string text)
    {
        Assert.Null(ProcSmapsRollup.Parse(Encoding.ASCII.GetBytes(text)).Rss);
    }

    [Fact]
    public void Rss_of_a_live_idle_process_equals_the_sum_over_its_smaps()
    {
        // Independent source: the per-mapping smaps file, summed here; an idle sleep does not change between the reads.
        using var sleep = Process.Start(new ProcessStartInfo("sleep", "30"))!;
        try
        {
            var dir = $"/proc/{sleep.Id}";
            var buffer = new byte[4096];
            // The process may still be starting: take the rollup between two equal smaps sums.
            var deadline = DateTime.UtcNow.AddSeconds(10);
            long before, after;
            long? rollup;
            do
            {
                before = SummedRss(dir);
                Assert.Equal(ProcReadStatus.Ok, ProcFileReader.Read($"{dir}/smaps_rollup", buffer, out var n));
                rollup = ProcSmapsRollup.Parse(buffer.AsSpan(0, n)).Rss;
                after = SummedRss(dir);
            }
            while ((before != after || File.ReadAllText($"{dir}/comm").Trim() != "sleep") && DateTime.UtcNow < deadline);

            Assert.Equal(before, after);
            Assert.Equal(after, rollup);
        }
        finally
        {
            sleep.Kill();
        }
    }

    private static long SummedRss(string dir) =>
        File.ReadAllLines($"{dir}/smaps").Where(l => l.StartsWith("Rss:", StringComparison.Ordinal))
            .Sum(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024);

    private static Dictionary<string, long> KilobyteLines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.EndsWith(" kB", StringComparison.Ordinal))
            .Select(l => l.Split(':'))
            .ToDictionary(p => p[0], p => long.Parse(p[1].Replace("kB", "", StringComparison.Ordinal).Trim()) * 1024);
}
