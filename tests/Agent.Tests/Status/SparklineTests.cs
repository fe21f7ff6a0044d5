using Agent.Status;

namespace Agent.Tests.Status;

/// <summary>The terminal sparkline prints a blank column only where no value is known.</summary>
public class SparklineTests
{
    public static TheoryData<long[], long> Histories() => new()
    {
        // The agent's first sample at start, the next one interval (here 3 s) later, then every second.
        { [0, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10_000, 11_000], 11_500 },
        { [0, 3000, .. Enumerable.Range(4, 60).Select(s => s * 1000L)], 63_900 },
        // Evenly spaced, read just before the next tick.
        { [.. Enumerable.Range(0, 30).Select(s => s * 1000L)], 29_999 },
        // A coarser past (older points merged), a fine present.
        { [0, 5000, 10_000, 15_000, 16_000, 17_000, 18_000, 19_000, 20_000, 21_000, 22_000], 22_400 },
    };

    [Theory]
    [MemberData(nameof(Histories))]
    public void Every_column_between_known_samples_is_drawn(long[] times, long now)
    {
        var values = times.Select(t => (double?)(1 + (t % 7))).ToArray();

        var columns = Sparkline.Columns(times, now, 24);
        var line = Sparkline.Text(Sparkline.Reduce(times, values, times[0], now, columns), 1);

        Assert.InRange(columns, 1, 24);
        Assert.DoesNotContain(' ', line);
    }

    [Fact]
    public void An_unknown_value_stays_blank()
    {
        long[] times = [.. Enumerable.Range(0, 24).Select(s => s * 1000L)];
        var values = times.Select(t => t is >= 5000 and < 8000 ? null : (double?)2).ToArray();

        var line = Sparkline.Text(Sparkline.Reduce(times, values, times[0], 23_999, Sparkline.Columns(times, 23_999, 24)), 1);

        Assert.Contains(' ', line);
    }
}
