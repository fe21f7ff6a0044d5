using System.Text.RegularExpressions;
using Agent.Runtimes;

namespace Agent.Tests.Runtimes;

/// <summary>
/// What federation re-exposes from a scraped exposition (README, "Federated families"): counters
/// stay counters named target_&lt;name&gt;_total, gauges and untyped become gauges, info stays info,
/// histograms and summaries are left out, labels are kept, and nothing may shadow the agent's own
/// target_* families. The input is written as a target would serve it.
/// </summary>
public class FederationSelectorTests
{
    private static readonly Regex All = new(".*");

    private static FederatedSnapshot Select(string exposition, Regex? include = null) =>
        FederationSelector.Select(ExpositionParser.Parse(exposition), include ?? All);

    [Fact]
    public void Counters_gauges_untyped_and_info_are_renamed_and_keep_their_labels_and_help()
    {
        var s = Select("""
            # HELP requests Requests served.
            # TYPE requests counter
            requests_total{path="/a",code="200"} 7
            requests_created{path="/a",code="200"} 1.7e9
            # TYPE temperature gauge
            temperature 21.5
            # TYPE mystery untyped
            mystery{k="v"} 3
            # TYPE build info
            build_info{version="1.2"} 1

            """);

        Assert.True(s.Connected);
        Assert.Equal(["target_build_info", "target_mystery", "target_requests", "target_temperature"], s.Families.Keys.Order(StringComparer.Ordinal));
        var requests = s.Families["target_requests"];
        Assert.True(requests.Counter);
        Assert.Equal("Requests served.", requests.Help);
        var point = Assert.Single(requests.Points); // _created is not the counter's value
        Assert.Equal(7, point.Value);
        Assert.Equal([new("path", "/a"), new("code", "200")], point.Labels);
        Assert.False(s.Families["target_temperature"].Counter);
        Assert.Equal(21.5, Assert.Single(s.Families["target_temperature"].Points).Value);
        Assert.Empty(Assert.Single(s.Families["target_temperature"].Points).Labels);
        Assert.False(s.Families["target_mystery"].Counter);
        Assert.Equal(new KeyValuePair<string, object?>("k", "v"), Assert.Single(Assert.Single(s.Families["target_mystery"].Points).Labels));
        Assert.False(s.Families["target_build_info"].Counter);
        Assert.Equal(1, Assert.Single(s.Families["target_build_info"].Points).Value);
    }

    [Fact]
    public void A_counter_family_named_without_total_takes_its_total_samples()
    {
        var s = Select("""
            # TYPE jobs counter
            jobs_total 4

            """);

        Assert.Equal(4, Assert.Single(s.Families["target_jobs"].Points).Value);
    }

    [Fact]
    public void Histograms_and_summaries_are_not_re_exposed()
    {
        var s = Select("""
            # TYPE latency histogram
            latency_bucket{le="1"} 1
            latency_bucket{le="+Inf"} 2
            latency_sum 1.5
            latency_count 2
            # TYPE size summary
            size{quantile="0.5"} 3
            size_sum 6
            size_count 2
            # TYPE queue gauge
            queue 1

            """);

        Assert.Equal(["target_queue"], s.Families.Keys);
    }

    [Theory]
    [InlineData("process_cpu", "counter", "process_cpu_total 1")]       // target_process_cpu
    [InlineData("dotnet_gc", "gauge", "dotnet_gc 1")]                   // target_dotnet_gc
    [InlineData("runtime_connected", "gauge", "runtime_connected 1")]   // target_runtime_connected
    [InlineData("up", "gauge", "up 1")]                                 // target_up
    [InlineData("restarts", "counter", "restarts_total 1")]             // target_restarts_total
    [InlineData("restarts_total", "gauge", "restarts_total 1")]         // a gauge exported as target_restarts_total
    [InlineData("processes", "gauge", "processes 1")]                   // target_processes
    [InlineData("info", "gauge", "info 1")]                             // target_info
    public void A_name_that_would_shadow_the_agents_own_families_is_skipped(string family, string type, string sample)
    {
        var s = Select($"# TYPE {family} {type}\n{sample}\n# TYPE fine gauge\nfine 1\n");

        Assert.Equal(["target_fine"], s.Families.Keys);
    }

    [Theory]
    [InlineData("uptime_seconds", "target_uptime_seconds")]         // not target_up
    [InlineData("restarts_pending", "target_restarts_pending")]     // not target_restarts_total
    [InlineData("processes_running", "target_processes_running")]   // not target_processes
    [InlineData("information", "target_information")]               // not target_info
    public void A_name_that_only_begins_like_one_of_the_agents_is_re_exposed(string family, string instrument)
    {
        var s = Select($"# TYPE {family} gauge\n{family} 5\n");

        Assert.Equal(5, Assert.Single(s.Families[instrument].Points).Value);
    }

    [Fact]
    public void Only_families_matching_include_are_taken()
    {
        var s = Select("""
            # TYPE python_gc_objects_collected counter
            python_gc_objects_collected_total{generation="0"} 10
            # TYPE app_requests counter
            app_requests_total 2

            """, new Regex("^python_"));

        Assert.Equal(["target_python_gc_objects_collected"], s.Families.Keys);
    }

    [Fact]
    public void A_family_without_a_sample_of_its_own_name_is_left_out()
    {
        // A counter whose only sample is _created has no value to re-expose.
        var s = Select("""
            # TYPE odd counter
            odd_created 1.7e9
            # TYPE kept gauge
            kept 2

            """);

        Assert.Equal(["target_kept"], s.Families.Keys);
    }
}
