using Agent.Runtimes.Python;
using Agent.Sampling;

namespace Agent.Tests.Runtimes;

/// <summary>A tree's Python collector counters stay monotonic while workers miss an answer, exit and are replaced.</summary>
public sealed class PythonGcTotalsTests
{
    private static PythonGcGeneration[] Gen(long collections, long collected) => [new(collections, collected, 0), new(collections / 10, 0, 0), new(0, 0, 0)];

    [Fact]
    public void Departed_workers_keep_counting_and_a_missed_answer_keeps_the_last_values()
    {
        var totals = new PythonGcTotals();
        var a = new ProcessIdentity(1, 100);
        var b = new ProcessIdentity(2, 200);
        var c = new ProcessIdentity(3, 300);

        Assert.Equal(150, totals.Add([a, b], [Gen(100, 1000), Gen(50, 500)])[0].Collections);
        Assert.Equal(160, totals.Add([a, b], [null, Gen(60, 600)])[0].Collections);   // a missed this interval: its 100 stay
        var afterExit = totals.Add([a, c], [Gen(110, 1100), Gen(5, 50)]);             // b exited at 60, c replaced it
        Assert.Equal(110 + 60 + 5, afterExit[0].Collections);
        Assert.Equal(1100 + 600 + 50, afterExit[0].Collected);
        Assert.Equal(11 + 6 + 0, afterExit[1].Collections);

        totals.Reset();
        Assert.Equal(7, totals.Add([a], [Gen(7, 0)])[0].Collections);
    }
}
