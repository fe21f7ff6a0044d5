using Agent.Configuration;
using Microsoft.Extensions.Configuration;

namespace Agent.Tests.Configuration;

public class TriggerLoaderTests
{
    private static AgentSettings Load(params (string Key, string Value)[] values) =>
        AgentSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    [Fact]
    public void A_leak_rule_is_parsed_into_typed_values_with_defaults()
    {
        var s = Load(
            ("Triggers:leak:Metric", "target_process_resident_memory_bytes"),
            ("Triggers:leak:GrowthAbove", "20MiB"),
            ("Triggers:leak:Window", "00:00:15"),
            ("Triggers:leak:Actions", "snapshot, stacks"));

        var t = Assert.Single(s.Triggers);
        Assert.Equal("leak", t.Name);
        Assert.Equal("app", t.Target);
        Assert.Equal(TriggerCondition.Growth, t.Condition);
        Assert.Equal(20d * 1024 * 1024, t.Threshold);
        Assert.Equal(TimeSpan.FromSeconds(15), t.Window);
        Assert.Equal([TriggerAction.Snapshot, TriggerAction.Stacks], t.Actions);
        Assert.Equal(TimeSpan.FromMinutes(10), t.Cooldown);
        Assert.Equal(3, t.MaxPerHour);
        Assert.Equal("target_process_resident_memory_bytes grew by more than 20 MiB within 00:00:15", t.Describe());
    }

    [Fact]
    public void A_counter_rule_reads_as_a_rate_and_takes_for()
    {
        var s = Load(
            ("Triggers:cpu:Metric", "target_process_cpu_seconds_total"),
            ("Triggers:cpu:Above", "0.8"),
            ("Triggers:cpu:For", "00:01:00"),
            ("Triggers:cpu:Cooldown", "00:00:00"),
            ("Triggers:cpu:MaxPerHour", "5"));

        var t = Assert.Single(s.Triggers);
        Assert.Equal(TriggerCondition.Above, t.Condition);
        Assert.Equal(0.8, t.Threshold);
        Assert.Equal(TimeSpan.FromMinutes(1), t.For);
        Assert.Equal(TimeSpan.Zero, t.Cooldown);
        Assert.Equal(5, t.MaxPerHour);
        Assert.Equal([TriggerAction.Snapshot], t.Actions);
        Assert.Equal("rate of target_process_cpu_seconds_total above 0.8/s for 00:01:00", t.Describe());
    }

    [Fact]
    public void Dump_and_trace_are_accepted_when_the_target_may_be_dotnet()
    {
        var s = Load(
            ("Target:ProcessName", "MyService"),
            ("Triggers:heap:Metric", "target_dotnet_gc_heap_size_bytes"),
            ("Triggers:heap:Above", "1.5GiB"),
            ("Triggers:heap:Actions", "dump,trace"));

        Assert.Equal([TriggerAction.Dump, TriggerAction.Trace], Assert.Single(s.Triggers).Actions);
        Assert.Equal(1.5 * 1024 * 1024 * 1024, s.Triggers[0].Threshold);
    }

    [Theory]
    [InlineData("Triggers:t:Metric", "target_process_rss", "Triggers:t:Metric")]
    [InlineData("Triggers:t:Metric", "process_resident_memory_bytes", "Triggers:t:Metric")]
    [InlineData("Triggers:t:Window", "00:00:01", "Triggers:t:Window")]
    [InlineData("Triggers:t:Window", "02:00:00", "Triggers:t:Window")]
    [InlineData("Triggers:t:Window", "soon", "Triggers:t:Window")]
    [InlineData("Triggers:t:GrowthAbove", "20MB", "Triggers:t:GrowthAbove")]
    [InlineData("Triggers:t:GrowthAbove", "0", "Triggers:t:GrowthAbove")]
    [InlineData("Triggers:t:GrowthAbove", "-1MiB", "Triggers:t:GrowthAbove")]
    [InlineData("Triggers:t:Actions", "snapshot,heapdump", "Triggers:t:Actions")]
    [InlineData("Triggers:t:Actions", "snapshot,snapshot", "Triggers:t:Actions")]
    [InlineData("Triggers:t:Actions", "", "Triggers:t:Actions")]
    [InlineData("Triggers:t:Target", "worker", "Triggers:t:Target")]
    [InlineData("Triggers:t:Cooldown", "-00:00:01", "Triggers:t:Cooldown")]
    [InlineData("Triggers:t:MaxPerHour", "0", "Triggers:t:MaxPerHour")]
    [InlineData("Triggers:t:MaxPerHour", "many", "Triggers:t:MaxPerHour")]
    [InlineData("Triggers:t:For", "00:00:10", "Triggers:t:For")]
    [InlineData("Triggers:t:Above", "1GiB", "Triggers:t:GrowthAbove")]
    [InlineData("Triggers:t:Treshold", "1", "Triggers:t:Treshold")]
    public void A_bad_value_of_a_growth_rule_names_its_key(string key, string value, string named)
    {
        var values = new Dictionary<string, string>
        {
            ["Triggers:t:Metric"] = "target_process_resident_memory_bytes",
            ["Triggers:t:GrowthAbove"] = "20MiB",
            ["Triggers:t:Window"] = "00:00:15",
            [key] = value,
        };

        var e = Assert.Throws<ConfigurationException>(() => Load([.. values.Select(kv => (kv.Key, kv.Value))]));

        Assert.Equal(named, e.Key);
        Assert.StartsWith(named + ":", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Triggers:t:Above", "200KiB", "Triggers:t:Above")] // threads are not bytes
    [InlineData("Triggers:t:Above", "lots", "Triggers:t:Above")]
    [InlineData("Triggers:t:Window", "00:01:00", "Triggers:t:Window")]
    [InlineData("Triggers:t:For", "-00:00:01", "Triggers:t:For")]
    public void A_bad_value_of_an_above_rule_names_its_key(string key, string value, string named)
    {
        var values = new Dictionary<string, string>
        {
            ["Triggers:t:Metric"] = "target_process_threads",
            ["Triggers:t:Above"] = "200",
            [key] = value,
        };

        var e = Assert.Throws<ConfigurationException>(() => Load([.. values.Select(kv => (kv.Key, kv.Value))]));

        Assert.Equal(named, e.Key);
    }

    [Fact]
    public void A_window_of_two_intervals_is_the_shortest_allowed()
    {
        var ok = Load(("Sampling:Interval", "00:00:02"), ("Triggers:t:Metric", "target_process_open_fds"), ("Triggers:t:GrowthAbove", "100"), ("Triggers:t:Window", "00:00:04"));
        var e = Assert.Throws<ConfigurationException>(() => Load(("Sampling:Interval", "00:00:02"), ("Triggers:t:Metric", "target_process_open_fds"), ("Triggers:t:GrowthAbove", "100"), ("Triggers:t:Window", "00:00:03.900")));

        Assert.Equal(TimeSpan.FromSeconds(4), Assert.Single(ok.Triggers).Window);
        Assert.Equal("Triggers:t:Window", e.Key);
        Assert.Contains("2 sampling intervals", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Target:ProcessName", "python3", "dump")]
    [InlineData("Target:ProcessName", "gunicorn", "trace")]
    [InlineData("Target:CommandLinePattern", "^/usr/bin/python3 app.py", "snapshot,dump")]
    [InlineData("Runtime:Dotnet:Enabled", "false", "dump")]
    public void An_action_the_targets_runtime_cannot_do_is_refused_naming_actions(string key, string value, string actions)
    {
        var e = Assert.Throws<ConfigurationException>(() => Load(
            (key, value),
            ("Triggers:leak:Metric", "target_process_resident_memory_bytes"),
            ("Triggers:leak:Above", "1GiB"),
            ("Triggers:leak:Actions", actions)));

        Assert.Equal("Triggers:leak:Actions", e.Key);
        Assert.Contains("cannot work", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_trigger_may_name_any_configured_target_and_takes_its_runtime_into_account()
    {
        var s = Load(
            ("Target:ProcessName", "MyService"),
            ("Targets:worker:ProcessName", "celery"),
            ("Triggers:near-limit:Target", "worker"),
            ("Triggers:near-limit:Metric", "target_container_memory_working_set_ratio"),
            ("Triggers:near-limit:Above", "0.9"),
            ("Triggers:near-limit:For", "00:00:30"));
        var dotnetOnPython = Assert.Throws<ConfigurationException>(() => Load(
            ("Target:ProcessName", "MyService"),
            ("Targets:worker:ProcessName", "celery"),
            ("Triggers:t:Target", "worker"),
            ("Triggers:t:Metric", "target_container_oom_events_total"),
            ("Triggers:t:Above", "0"),
            ("Triggers:t:Actions", "dump")));
        var unknown = Assert.Throws<ConfigurationException>(() => Load(
            ("Target:ProcessName", "MyService"),
            ("Targets:worker:ProcessName", "celery"),
            ("Triggers:t:Target", "workers"),
            ("Triggers:t:Metric", "target_process_threads"),
            ("Triggers:t:Above", "1")));

        var t = Assert.Single(s.Triggers);
        Assert.Equal("worker", t.Target);
        Assert.Equal(0.9, t.Threshold);
        Assert.Equal("Triggers:t:Actions", dotnetOnPython.Key); // the worker is celery (Python), not the .NET app
        Assert.Equal("Triggers:t:Target", unknown.Key);
        Assert.Contains("the configured targets are app, worker", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_only_named_targets_a_trigger_defaults_to_the_only_one_and_under_auto_any_valid_name_is_taken()
    {
        var single = Load(("Targets:web:ProcessName", "nginx"), ("Triggers:t:Metric", "target_process_threads"), ("Triggers:t:Above", "1"));
        var auto = Load(("Target:Auto", "true"), ("Triggers:t:Target", "envoy"), ("Triggers:t:Metric", "target_process_threads"), ("Triggers:t:Above", "1"));
        var badName = Assert.Throws<ConfigurationException>(() => Load(("Target:Auto", "true"), ("Triggers:t:Target", "en voy"), ("Triggers:t:Metric", "target_process_threads"), ("Triggers:t:Above", "1")));

        Assert.Equal("web", Assert.Single(single.Triggers).Target);
        Assert.Equal("envoy", Assert.Single(auto.Triggers).Target);
        Assert.Equal("Triggers:t:Target", badName.Key);
    }

    [Fact]
    public void Snapshot_and_stacks_work_on_a_python_target()
    {
        var s = Load(
            ("Target:ProcessName", "python3"),
            ("Triggers:leak:Metric", "target_process_resident_memory_bytes"),
            ("Triggers:leak:Above", "1GiB"),
            ("Triggers:leak:Actions", "snapshot,stacks"));

        Assert.Single(s.Triggers);
    }

    [Fact]
    public void Heap_is_an_action_for_python_and_dotnet_targets_alike()
    {
        var s = Load(
            ("Target:ProcessName", "python3"),
            ("Triggers:leak:Metric", "target_process_resident_memory_bytes"),
            ("Triggers:leak:GrowthAbove", "20MiB"),
            ("Triggers:leak:Window", "00:00:30"),
            ("Triggers:leak:Actions", "snapshot,heap"));

        Assert.Equal([TriggerAction.Snapshot, TriggerAction.Heap], Assert.Single(s.Triggers).Actions);
    }

    [Fact]
    public void A_bad_trigger_name_and_an_empty_section_are_refused()
    {
        var bad = Assert.Throws<ConfigurationException>(() => Load(("Triggers:le ak:Metric", "target_process_threads")));
        var missing = Assert.Throws<ConfigurationException>(() => Load(("Triggers:t:Metric", "target_process_threads")));

        Assert.Equal("Triggers:le ak", bad.Key);
        Assert.Equal("Triggers:t:Above", missing.Key);
    }
}
