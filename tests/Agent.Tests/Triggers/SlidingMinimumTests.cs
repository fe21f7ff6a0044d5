using Agent.Triggers;

namespace Agent.Tests.Triggers;

public class SlidingMinimumTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Agrees_with_a_plain_scan_of_the_window(int seed)
    {
        var random = new Random(seed);
        var window = TimeSpan.FromSeconds(15);
        var sut = new SlidingMinimum(window, 18);
        var all = new List<(long Time, double Value)>();
        var now = 0L;
        for (var i = 0; i < 2000; i++)
        {
            now += TimeSpan.FromMilliseconds(random.Next(1000, 1300)).Ticks;
            var value = random.Next(0, 50) + (i / 10d); // noise on a slow climb
            all.Add((now, value));
            sut.Add(now, value);

            var expected = all.Where(s => s.Time >= now - window.Ticks).Min(s => s.Value);
            Assert.Equal(expected, sut.Minimum);
        }
    }

    [Fact]
    public void A_rising_series_fills_the_capacity_and_keeps_the_newest()
    {
        var sut = new SlidingMinimum(TimeSpan.FromSeconds(10), 4);
        for (var t = 0; t < 10; t++)
        {
            sut.Add(TimeSpan.FromSeconds(t).Ticks, t);
        }

        Assert.Equal(6, sut.Minimum); // capacity 4: 6, 7, 8, 9
    }
}
