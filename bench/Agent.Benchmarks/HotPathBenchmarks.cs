using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Agent.Configuration;
using Agent.Endpoints;
using Agent.Probes;
using Agent.Readiness;
using Agent.Runtimes;
using Agent.Sampling;
using BenchmarkDotNet.Attributes;

namespace Agent.Benchmarks;

/// <summary>
/// The request-side hot paths: /ready's evaluation and JSON body (per request), and parsing a
/// target's exposition (per federation scrape).
/// </summary>
[MemoryDiagnoser]
public class HotPathBenchmarks
{
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;
    private ReadinessEvaluator _evaluator = null!;
    private SamplingSnapshot _target = null!;
    private ImmutableDictionary<string, ProbeResult> _results = ImmutableDictionary<string, ProbeResult>.Empty;
    private string _exposition = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        var probes = Enumerable.Range(0, 4)
            .Select(i => new ProbeDefinition($"dep{i}", ProbeKind.Tcp, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5), i < 3, Host: "h", Port: 1))
            .ToList();
        _evaluator = new ReadinessEvaluator(probes, new ReadinessOptions { RequireTarget = true });
        _target = new SamplingSnapshot([new TargetSnapshot("app", true, new TargetSample(new ProcessIdentity(7, 1), "app", 1, 1, 1, 1, 1, 1, 0, 4, 10, 1024, 1, 0, 0, 1, 1, 1, 1), 0, "name=app", null, _now)], _now);
        _results = probes.ToImmutableDictionary(p => p.Name, p => new ProbeResult(p, ProbeOutcome.Ok("fine"), TimeSpan.FromMilliseconds(2), _now));
        var sb = new StringBuilder();
        foreach (var family in new[] { "python_gc_objects_collected_total", "python_gc_objects_uncollectable_total", "python_gc_collections_total" })
        {
            sb.Append("# HELP ").Append(family).Append(" help text\n# TYPE ").Append(family).Append(" counter\n");
            for (var g = 0; g < 3; g++)
            {
                sb.Append(family).Append("{generation=\"").Append(g).Append("\"} ").Append(1234.0 + g).Append('\n');
            }
        }

        sb.Append("# HELP python_info info\n# TYPE python_info gauge\npython_info{implementation=\"CPython\",major=\"3\",minor=\"11\",patchlevel=\"2\",version=\"3.11.2\"} 1.0\n");
        for (var i = 0; i < 40; i++)
        {
            sb.Append("# TYPE process_metric_").Append(i).Append(" gauge\nprocess_metric_").Append(i).Append(' ').Append(i * 1.5).Append('\n');
        }

        _exposition = sb.ToString();
    }

    [Benchmark(Description = "/ready: evaluate 4 probes + target")]
    public int ReadyEvaluate() => _evaluator.Evaluate(_target, _results, true, _now).StatusCode;

    [Benchmark(Description = "/ready: evaluate + serialise the JSON body")]
    public int ReadyBody() => JsonSerializer.SerializeToUtf8Bytes(_evaluator.Evaluate(_target, _results, true, _now).Body, AgentJsonContext.Default.ReadyResponse).Length;

    [Benchmark(Description = "parse a prometheus_client exposition (53 samples)")]
    public int ParseExposition() => ExpositionParser.Parse(_exposition).Count;
}
