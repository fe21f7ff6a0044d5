using Agent.Configuration;
using Agent.Profiling;
using Agent.Tests.Runtimes;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Agent.Tests.Profiling;

/// <summary>
/// The kept profiles' memory bound (issue 27: at most 4 MiB per target), weighed by the GC itself
/// (an independent source: the heap after a full collection, not the agent's estimate). Runs alone
/// so that no other test's allocations land between the two weighings.
/// </summary>
[Collection(ProcessWideCounters.Name)]
public class ProfileMemoryTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Epoch = DateTimeOffset.Parse("2026-12-07T01:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void A_window_stops_taking_stacks_at_its_byte_bound_and_counts_their_samples()
    {
        var counter = new StackCounter();
        for (var s = 0; s < 100; s++)
        {
            counter.Add(DistinctStack(0, s), 3);
        }

        var samples = counter.Samples();
        Assert.InRange(counter.Bytes, CpuProfile.MaxWindowBytes / 2, CpuProfile.MaxWindowBytes);
        Assert.Equal(300, samples.Sum(x => x.Count));
        var truncated = Assert.Single(samples, x => x.Frames[0] == ProfileFrame.Truncated);
        Assert.Equal(300 - (3 * (samples.Count - 1)), truncated.Count);
        Assert.InRange(samples.Count, 10, 90);
    }

    [Fact]
    public void Equal_frames_are_held_once_so_shared_frames_cost_one_reference_per_stack()
    {
        var counter = new StackCounter();
        counter.Add([new ProfileFrame("App.Hot", "a.py", 3), new ProfileFrame("App.Main", "a.py", 9)], 1);
        counter.Add([new ProfileFrame("App.Warm", "a.py", 5), new ProfileFrame("App.Main", "a.py", 9)], 1);

        var samples = counter.Samples();
        Assert.Same(samples[0].Frames[1], samples[1].Frames[1]);
        Assert.Equal(ProfileSize.Of(samples), counter.Bytes);
    }

    [Fact]
    public void The_store_drops_the_oldest_windows_past_its_byte_bound_and_keeps_the_newest()
    {
        var time = new FakeTimeProvider(Epoch);
        var store = new ProfileStore(ProfilingSettings.Create(new ProfilingOptions { Interval = TimeSpan.FromSeconds(10), Window = TimeSpan.FromSeconds(5) }), time);
        for (var w = 0; w < 20; w++)
        {
            store.Add("app", FullWindow(w, time.GetUtcNow()));
            time.Advance(TimeSpan.FromSeconds(10));
        }

        var kept = store.Since("app", ProfilingSettings.Kept);
        Assert.InRange(kept.Sum(k => ProfileSize.Of(k.Samples)), ProfileStore.MaxBytesPerTarget - CpuProfile.MaxWindowBytes, ProfileStore.MaxBytesPerTarget);
        Assert.Equal(time.GetUtcNow() - TimeSpan.FromSeconds(10), kept[^1].Start);
        Assert.True(kept.Count < 20);
        Assert.Equal(kept.OrderBy(k => k.Start), kept);
    }

    [Fact]
    public void Fifteen_minutes_of_the_worst_windows_weigh_at_most_4_MiB_on_the_heap()
    {
        // The shortest interval (10 s) keeps the most windows (91); each window is the worst case:
        // 64-deep stacks of distinct long names, as many as its byte bound admits. Each window is
        // built and handed over at once, so after a full collection only what the store keeps is live.
        var time = new FakeTimeProvider(Epoch);
        var settings = ProfilingSettings.Create(new ProfilingOptions { Interval = TimeSpan.FromSeconds(10), Window = TimeSpan.FromSeconds(5) });
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var store = new ProfileStore(settings, time);
        for (var w = 0; w < settings.MaxWindows + 10; w++)
        {
            store.Add("app", FullWindow(w, time.GetUtcNow()));
            time.Advance(settings.Interval);
        }

        var held = GC.GetTotalMemory(forceFullCollection: true) - before;
        var estimated = store.Since("app", ProfilingSettings.Kept).Sum(k => ProfileSize.Of(k.Samples));
        GC.KeepAlive(store);

        var report = $"{store.Since("app", ProfilingSettings.Kept).Count} windows kept: {held:N0} bytes held on the heap, {estimated:N0} estimated";
        output.WriteLine(report);
        Assert.True(held <= 4 * 1024 * 1024, report);
        Assert.True(held >= estimated * 9 / 10, report); // the weighing sees the store
    }

    private static CpuProfile FullWindow(int window, DateTimeOffset start)
    {
        var counter = new StackCounter();
        for (var s = 0; s < 100; s++)
        {
            counter.Add(DistinctStack(window, s), 1);
        }

        return new CpuProfile(start, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(1), counter.Samples());
    }

    private static ProfileFrame[] DistinctStack(int window, int stack) =>
        [.. Enumerable.Range(0, CpuProfile.MaxDepth).Select(d => new ProfileFrame(
            $"Company.Product.Subsystem.Component{window:D3}.Handler{stack:D3}.Method{d:D2}<TRequest, TResponse>(System.Threading.CancellationToken)",
            $"/srv/app/company/product/subsystem/component{window:D3}/handler.py",
            d))];
}
