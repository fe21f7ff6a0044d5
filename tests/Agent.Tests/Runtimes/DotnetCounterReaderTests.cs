using System.Text;
using Agent.Runtimes;

namespace Agent.Tests.Runtimes;

/// <summary>
/// The counters' two sources: MetricsEventSource payloads read by hand (their layout is the
/// runtime's: UTF-16 strings in the order of the event method's parameters), and the agent's own
/// meter read in process. The real session against a real target is in the integration suite
/// (RuntimeCounterTests compares every counter with the target's own report).
/// </summary>
[Collection(ProcessWideCounters.Name)]
public sealed class DotnetCounterReaderTests
{
    private const string Session = MetricsSession.SharedId;
    private const string Client = "c1";
    private static readonly DateTime T0 = new(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Counter_gauge_and_updown_events_fill_the_snapshot()
    {
        var reader = new DotnetCounterReader(42, Client, TimeProvider.System);
        Assert.True(reader.Apply(4, Counter("dotnet.gc.collections", "gc.heap.generation=gen2", rate: "1", value: "7"), T0));
        Assert.True(reader.Apply(5, Gauge("dotnet.gc.last_collection.heap.size", "gc.heap.generation=gen0", "1000"), T0));
        Assert.True(reader.Apply(5, Gauge("dotnet.gc.last_collection.heap.size", "gc.heap.generation=loh", "24"), T0));
        Assert.True(reader.Apply(16, Counter("dotnet.thread_pool.thread.count", "", rate: "0", value: "3"), T0));
        Assert.True(reader.Apply(4, Counter("dotnet.gc.pause.time", "", rate: "0", value: "1.0"), T0));
        Assert.True(reader.Apply(4, Counter("dotnet.gc.pause.time", "", rate: "0.25", value: "1.25"), T0.AddSeconds(1)));

        var s = reader.Snapshot();
        Assert.Equal(42, s.Pid);
        Assert.Equal(7, s.GcCollections["gen2"]);
        Assert.Equal(1024, s.HeapSizeBytes);
        Assert.Equal(3, s.ThreadPoolThreads);
        Assert.Equal(0.25, s.PauseRatio!.Value, 6);
    }

    [Fact]
    public void Exceptions_start_at_zero_when_reporting_begins_and_sum_the_increases()
    {
        var reader = new DotnetCounterReader(1, Client, TimeProvider.System);
        Assert.Null(reader.Snapshot().Exceptions);
        Assert.True(reader.Apply(7, Strings(Session, "System.Runtime", "", "dotnet.exceptions", "Counter`1", "{exception}", "desc"), T0));
        Assert.Equal(0, reader.Snapshot().Exceptions);
        reader.Apply(4, Counter("dotnet.exceptions", "error.type=System.InvalidOperationException", rate: "2", value: ""), T0);
        reader.Apply(4, Counter("dotnet.exceptions", "error.type=System.IO.IOException", rate: "3", value: ""), T0);
        Assert.Equal(5, reader.Snapshot().Exceptions);
    }

    [Fact]
    public void Another_session_another_meter_and_other_events_are_ignored()
    {
        var reader = new DotnetCounterReader(1, Client, TimeProvider.System);
        Assert.False(reader.Apply(4, Strings("0123456789abcdef", "System.Runtime", "", "dotnet.gc.collections", "", "gc.heap.generation=gen0", "0", "9"), T0));
        Assert.False(reader.Apply(4, Strings(Session, "MyApp", "", "dotnet.gc.collections", "", "gc.heap.generation=gen0", "0", "9"), T0));
        Assert.False(reader.Apply(2, Strings(Session, "x"), T0)); // CollectionStart
        Assert.False(reader.Apply(4, Counter("dotnet.some.new.instrument", "", "0", "1"), T0));
        Assert.False(reader.HasValues);
    }

    [Fact]
    public void A_session_held_by_another_tool_is_a_refusal_naming_it()
    {
        var reader = new DotnetCounterReader(1, Client, TimeProvider.System);
        Assert.False(reader.Apply(15, Strings(Session), T0)); // a third tool refused beside our shared session
        Assert.Null(reader.Refusal);
        Assert.True(reader.Apply(15, Strings("0123456789abcdef0123"), T0));
        Assert.Contains("session 0123456789ab…, not shared", reader.Refusal, StringComparison.Ordinal);
        Assert.False(reader.HasValues);
    }

    [Fact]
    public void A_shared_session_with_other_settings_is_a_refusal_with_both_settings_only_for_our_client()
    {
        var reader = new DotnetCounterReader(1, Client, TimeProvider.System);
        // clientId, expected/actual MaxHistograms, MaxTimeSeries, RefreshInterval (the event method's order)
        Assert.False(reader.Apply(17, Strings("someone-else", "10", "20", "1000", "1000", "5", "1"), T0));
        Assert.Null(reader.Refusal);
        Assert.False(reader.Apply(17, Strings(Client, "10", "20", "1000"), T0)); // truncated
        Assert.Null(reader.Refusal);
        Assert.True(reader.Apply(17, Strings(Client, "10", "20", "500", "1000", "5", "1"), T0));
        Assert.Equal(
            "another tool shares the runtime's metrics session with other settings (interval 5 s, MaxTimeSeries 500, MaxHistograms 10; the agent asks for interval 1 s, MaxTimeSeries 1000, MaxHistograms 20); the runtime shares one session only between equal settings",
            reader.Refusal);
    }

    [Fact]
    public void A_value_records_when_it_arrived()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(T0));
        var reader = new DotnetCounterReader(1, Client, time);
        time.Advance(TimeSpan.FromSeconds(7));
        reader.Apply(4, Counter("dotnet.gc.heap.total_allocated", "", "0", "10"), T0);
        Assert.Equal(new DateTimeOffset(T0).AddSeconds(7), reader.Snapshot().ReceivedAt);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(31)]
    public void A_truncated_or_odd_payload_is_refused_without_throwing(int cut)
    {
        var reader = new DotnetCounterReader(1, Client, TimeProvider.System);
        var full = Counter("dotnet.gc.collections", "gc.heap.generation=gen0", "0", "9");
        Assert.False(reader.Apply(4, full.AsSpan(0, Math.Min(cut, full.Length)), T0));
        Assert.False(reader.Apply(4, [0xFF, 0xFE, 0x41], T0));
        Assert.False(reader.HasValues);
    }

    [Fact]
    public void A_value_that_is_not_a_finite_number_leaves_the_counter_unset()
    {
        var reader = new DotnetCounterReader(1, Client, TimeProvider.System);
        reader.Apply(4, Counter("dotnet.gc.heap.total_allocated", "", "0", "NaN"), T0);
        reader.Apply(4, Counter("dotnet.thread_pool.work_item.count", "", "0", "lots"), T0);
        Assert.Null(reader.Snapshot().AllocatedBytes);
        Assert.Null(reader.Snapshot().ThreadPoolCompletedItems);
    }

    [Fact]
    public void In_process_the_agents_own_meter_agrees_with_the_runtime()
    {
        var reader = new DotnetCounterReader(Environment.ProcessId, string.Empty, TimeProvider.System);
        using var counters = new InProcessCounters(reader, TimeProvider.System);
        var first = counters.Collect();
        Assert.NotNull(first);
        Assert.Equal(0, first.Exceptions); // reporting began: counted from here

        var gen0Before = GC.CollectionCount(0);
        GC.Collect(0);
        for (var i = 0; i < 3; i++)
        {
            try
            {
                throw new InvalidOperationException("counted");
            }
            catch (InvalidOperationException)
            {
                // thrown to be counted
            }
        }

        var s = counters.Collect()!;
        // Per generation the meter counts collections of that generation at most; together, every
        // collection, which is what GC.CollectionCount(0) counts.
        Assert.InRange(s.GcCollections.Values.Sum(), gen0Before + 1, GC.CollectionCount(0));
        Assert.True(s.Exceptions >= 3, $"exceptions {s.Exceptions}"); // other tests may throw meanwhile
        Assert.True(s.AllocatedBytes > 0);
        Assert.True(s.HeapSizeBytes > 0);
    }

    private static byte[] Counter(string instrument, string tags, string rate, string value) =>
        Strings(Session, "System.Runtime", "10.0.0", instrument, "", tags, rate, value, "extra-field-of-a-later-runtime");

    private static byte[] Gauge(string instrument, string tags, string last) =>
        Strings(Session, "System.Runtime", "10.0.0", instrument, "By", tags, last);

    private static byte[] Strings(params string[] fields) => Encoding.Unicode.GetBytes(string.Concat(fields.Select(f => f + "\0")));
}

/// <summary>
/// Tests that read the process's own runtime counters (exceptions thrown, GCs) run alone: another
/// test class throwing meanwhile is counted too (seen once: 1 exception where the test threw none yet).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideCounters
{
    public const string Name = "process-wide runtime counters";
}
