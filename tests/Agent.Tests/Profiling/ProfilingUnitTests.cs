using Agent.Configuration;
using Agent.Endpoints;
using Agent.Profiling;
using Microsoft.Extensions.Time.Testing;

namespace Agent.Tests.Profiling;

public class ProfilingUnitTests
{
    [Fact]
    public void Addresses_resolve_to_their_method_return_addresses_to_the_caller_and_native_runs_read_as_one_unknown()
    {
        var methods = new MethodTable();
        methods.Add(0x1000, 0x100, "App.Worker", "Hot");
        methods.Add(0x2000, 0x80, "App.Worker", "Run");
        var raw = new Dictionary<ulong[], long>
        {
            // leaf in Hot; the call to Hot is Run's last instruction, so the return address is Run's end
            [[0x1010, 0x2080, 0x9000, 0x9100]] = 5,
            [[0x1020, 0x2080, 0x9000, 0x9200]] = 2, // same names: added up
        };

        var samples = DotnetProfileRecorder.Resolve(raw, truncated: 3, methods);

        var main = Assert.Single(samples, s => s.Frames[0].Function == "App.Worker.Hot");
        Assert.Equal(["App.Worker.Hot", "App.Worker.Run", "[unknown]"], main.Frames.Select(f => f.Function));
        Assert.Equal(7, main.Count);
        Assert.Equal(3, Assert.Single(samples, s => s.Frames[0] == ProfileFrame.Truncated).Count);
    }

    [Fact]
    public void A_sample_taken_at_a_gc_poll_is_the_looping_methods_and_a_poll_deeper_in_the_stack_stays()
    {
        var methods = new MethodTable();
        methods.Add(0x1000, 0x100, "App.Worker", "Hot");
        methods.Add(0x3000, 0x100, "System.Threading.Thread", "<PollGC>g__PollGCWorker|67_0");
        methods.Add(0x4000, 0x100, "System.Threading.Thread", "PollGC");
        var raw = new Dictionary<ulong[], long>
        {
            [[0x3010, 0x4020, 0x1050]] = 4, // stopped at the poll Hot's loop makes
            [[0x1010]] = 1,
            [[0x1010, 0x3020]] = 2,         // a poll below the leaf (not a leaf): kept as it is
        };

        var samples = DotnetProfileRecorder.Resolve(raw, truncated: 0, methods);

        Assert.Equal(5, Assert.Single(samples, s => s.Frames.Count == 1 && s.Frames[0].Function == "App.Worker.Hot").Count);
        Assert.Equal(2, Assert.Single(samples, s => s.Frames.Count == 2).Count);
        Assert.DoesNotContain(samples, s => DotnetProfileRecorder.IsGcPoll(s.Frames[0]));
    }

    [Fact]
    public void A_method_load_payload_is_read_and_a_short_one_refused()
    {
        var payload = new List<byte>();
        payload.AddRange(BitConverter.GetBytes(1UL)); // MethodID
        payload.AddRange(BitConverter.GetBytes(2UL)); // ModuleID
        payload.AddRange(BitConverter.GetBytes(0x5000UL)); // start
        payload.AddRange(BitConverter.GetBytes(0x40U)); // size
        payload.AddRange(new byte[8]); // token, flags
        foreach (var s in new[] { "My.Ns.Type", "Method", "void ()" })
        {
            payload.AddRange(System.Text.Encoding.Unicode.GetBytes(s + "\0"));
        }

        var methods = new MethodTable();
        Assert.True(methods.TryAdd(payload.ToArray()));
        Assert.Equal("My.Ns.Type.Method", methods.Find(0x503F)?.Function);
        Assert.Null(methods.Find(0x5040));
        Assert.False(methods.TryAdd(payload.Take(30).ToArray()));
    }

    [Fact]
    public void A_window_keeps_at_most_its_bound_of_stacks_and_counts_the_rest()
    {
        var counter = new StackCounter(2);
        counter.Add([new ProfileFrame("a")], 1);
        counter.Add([new ProfileFrame("b")], 1);
        counter.Add([new ProfileFrame("c")], 4);
        counter.Add([new ProfileFrame("a")], 1);

        var samples = counter.Samples();
        Assert.Equal(3, samples.Count);
        Assert.Equal(2, samples.Single(s => s.Frames[0].Function == "a").Count);
        Assert.Equal(4, samples.Single(s => s.Frames[0] == ProfileFrame.Truncated).Count);
    }

    [Fact]
    public void The_store_keeps_fifteen_minutes_and_at_most_its_window_count()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-07T01:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var settings = ProfilingSettings.Create(new ProfilingOptions { Interval = TimeSpan.FromSeconds(60), Window = TimeSpan.FromSeconds(5) });
        var store = new ProfileStore(settings, time);
        for (var i = 0; i < 40; i++)
        {
            store.Add("app", new CpuProfile(time.GetUtcNow(), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(1), [new ProfileSample([new ProfileFrame("f")], 1)]));
            time.Advance(TimeSpan.FromSeconds(60));
        }

        Assert.Equal(16, settings.MaxWindows);
        Assert.InRange(store.Since("app", ProfilingSettings.Kept).Count, 14, 16);
        Assert.Single(store.Since("app", TimeSpan.FromSeconds(90)));
        store.Retain(["other"]);
        Assert.Empty(store.Since("app", ProfilingSettings.Kept));
    }

    [Theory]
    [InlineData("15m", 900)]
    [InlineData("30s", 30)]
    [InlineData("0m", -1)]
    [InlineData("5h", -1)]
    [InlineData("m", -1)]
    [InlineData("-5m", -1)]
    public void Since_takes_seconds_or_minutes(string text, int seconds)
    {
        Assert.Equal(seconds >= 0, ProfileEndpoint.TryParseSince(text, out var since));
        if (seconds >= 0)
        {
            Assert.Equal(TimeSpan.FromSeconds(seconds), since);
        }
    }

    [Fact]
    public void Merged_windows_add_up_per_stack()
    {
        var start = DateTimeOffset.UnixEpoch;
        var a = new CpuProfile(start, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(2), [new ProfileSample([new ProfileFrame("f")], 3)]);
        var b = new CpuProfile(start.AddMinutes(1), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(2), [new ProfileSample([new ProfileFrame("f")], 4), new ProfileSample([new ProfileFrame("g")], 1)]);

        var merged = CpuProfile.Merge([a, b]);

        Assert.Equal(8, merged.TotalSamples);
        Assert.Equal(7, merged.Samples.Single(s => s.Frames[0].Function == "f").Count);
        Assert.Equal(TimeSpan.FromSeconds(65), merged.Duration);
    }
}
