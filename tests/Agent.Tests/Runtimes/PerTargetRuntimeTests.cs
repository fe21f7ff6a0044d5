using Agent.Configuration;
using Agent.Runtimes;
using Agent.Sampling;
using Microsoft.Extensions.Configuration;

namespace Agent.Tests.Runtimes;

/// <summary>The per-target bookkeeping of runtime attachment: which targets get a follower, whose entry an end removes, which endpoint labels which target.</summary>
public class PerTargetRuntimeTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch;

    private static TargetSample Sample(int pid) => new(new ProcessIdentity(pid, 100), "x", 1, 0, 0, 0, null, 0, null, 1, null, null, 0, null, null, null, null, 0, 0);

    private static SamplingSnapshot Snapshot(params (string Name, int? Pid)[] targets) =>
        new([.. targets.Select(t => new TargetSnapshot(t.Name, true, t.Pid is { } p ? Sample(p) : null, 0, "test", null, Now)).OrderBy(t => t.Name, StringComparer.Ordinal)], Now);

    private static DotnetRuntimeSnapshot Counters(int pid) => new(pid, new Dictionary<string, double>(), 1, null, null, null, null, null, null, null);

    private static AgentSettings Load(params (string Key, string Value)[] values) =>
        AgentSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    [Fact]
    public void Every_target_with_a_process_gets_a_follower_and_listen_mode_only_the_primary()
    {
        var snapshot = Snapshot(("web", 10), ("worker", 11), ("zgone", null));

        Assert.Equal(["web", "worker"], DotnetRuntimeService.Wanted(snapshot, listen: false));
        Assert.Equal(["web"], DotnetRuntimeService.Wanted(snapshot, listen: true)); // the first by name: no "app"
        Assert.Equal(["app"], DotnetRuntimeService.Wanted(Snapshot(("web", 10), ("app", 12)), listen: true));
        Assert.Empty(DotnetRuntimeService.Wanted(Snapshot(("app", null), ("web", 10)), listen: true));
    }

    [Fact]
    public async Task The_roster_starts_each_wanted_target_once_and_again_only_after_its_loop_ended()
    {
        var roster = new SessionRoster();
        var web = new TaskCompletionSource();
        var worker = new TaskCompletionSource();

        Assert.Equal(["web", "worker"], roster.Reconcile(["web", "worker", "web"]));
        roster.Started("web", web.Task);
        roster.Started("worker", worker.Task);
        Assert.Empty(roster.Reconcile(["web", "worker"]));

        web.SetResult(); // web's process went away: its loop ended by itself
        Assert.Equal(["web"], roster.Reconcile(["web", "worker"]));
        Assert.Equal(["worker"], roster.Names);
        Assert.Same(worker.Task, Assert.Single(roster.Running()));
        worker.SetResult();
        await Task.WhenAll(roster.Running());
    }

    [Fact]
    public void An_ended_session_removes_only_its_own_targets_counters()
    {
        var store = new RuntimeStore();
        store.Publish("web", Counters(10));
        store.Publish("worker", Counters(11));

        store.Publish("web", (DotnetRuntimeSnapshot?)null);

        Assert.Null(store.DotnetOf("web"));
        Assert.Equal(11, store.DotnetOf("worker")!.Pid);
        Assert.Equal(["worker"], store.Dotnet.Keys);
        Assert.Null(store.DotnetOf(null));
    }

    [Fact]
    public void A_failed_scrape_disconnects_only_its_own_endpoint()
    {
        var store = new RuntimeStore();
        var family = new FederatedFamily("target_python_x", false, null, [new FederatedPoint([], 1)]);
        store.Publish("a", new FederatedSnapshot(true, new Dictionary<string, FederatedFamily> { [family.Instrument] = family }));
        store.Publish("b", new FederatedSnapshot(true, new Dictionary<string, FederatedFamily> { [family.Instrument] = family }));

        store.Publish("a", FederatedSnapshot.Disconnected);

        Assert.False(store.FederatedOf("a").Connected);
        Assert.Empty(store.FederatedOf("a").Families);
        Assert.True(store.FederatedOf("b").Connected);
        Assert.False(store.FederatedOf("never-published").Connected);
    }

    [Fact]
    public void Each_named_metrics_url_is_its_own_targets_and_runtime_metrics_url_is_the_primarys()
    {
        var s = Load(
            ("Targets:web:Port", "80"), ("Targets:web:MetricsUrl", "http://127.0.0.1:8000/metrics"),
            ("Targets:worker:Port", "81"), ("Targets:worker:MetricsUrl", "http://127.0.0.1:8001/metrics"),
            ("Targets:zz:Port", "82"));

        Assert.Equal(["web", "worker"], s.Federation.Select(e => e.Key));
        Assert.Equal(8001, s.Federation[1].Url.Port);
        Assert.Equal("Targets:worker:MetricsUrl", s.Federation[1].ConfigKeyName);
        Assert.Equal("worker", s.Federation[1].TargetOf(Snapshot(("web", 1), ("worker", 2))));

        var single = Load(("Target:Pid", "1"), ("Runtime:MetricsUrl", "http://127.0.0.1:9/metrics"));
        var primary = Assert.Single(single.Federation);
        Assert.Equal("app", primary.TargetOf(Snapshot(("app", 1))));
        Assert.Equal("b", primary.TargetOf(Snapshot(("c", 1), ("b", 2)))); // no app: the first by name (Auto)
    }

    [Theory]
    [InlineData("Targets:web:MetricsUrl", "ftp://x/metrics")]
    [InlineData("Targets:web:MetricsUrl", "127.0.0.1:8000/metrics")]
    [InlineData("Targets:web:MetricsUrl", "")]
    public void A_bad_named_metrics_url_names_its_key(string key, string value)
    {
        var e = Assert.Throws<ConfigurationException>(() => Load(("Targets:web:Port", "80"), (key, value)));

        Assert.Equal(key, e.Key);
    }

    [Fact]
    public void Two_endpoints_for_the_primary_target_are_refused()
    {
        var e = Assert.Throws<ConfigurationException>(() => Load(
            ("Targets:app:Port", "80"), ("Targets:app:MetricsUrl", "http://127.0.0.1:8000/metrics"),
            ("Runtime:MetricsUrl", "http://127.0.0.1:8001/metrics")));

        Assert.Equal("Runtime:MetricsUrl", e.Key);
        Assert.Contains("Targets:app:MetricsUrl", e.Message, StringComparison.Ordinal);
    }
}
