using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;

namespace Agent.Benchmarks;

/// <summary>
/// Snapshot → exposition: one scrape of the in-process agent (in-memory test server, no sockets),
/// with the exporter's response cache on (the shipped 300 ms) and off (every scrape collects every
/// instrument and serialises the text format).
/// </summary>
[MemoryDiagnoser]
public class ScrapeBenchmarks
{
    private WebApplicationFactory<Program> _cached = null!;
    private WebApplicationFactory<Program> _uncached = null!;
    private HttpClient _cachedClient = null!;
    private HttpClient _uncachedClient = null!;

    [GlobalSetup]
    public void Setup()
    {
        _cached = new WebApplicationFactory<Program>();
        _uncached = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.ConfigureTestServices(s =>
            s.Configure<PrometheusAspNetCoreOptions>(o => o.ScrapeResponseCacheDurationMilliseconds = 0)));
        _cachedClient = _cached.CreateClient();
        _uncachedClient = _uncached.CreateClient();
        // Let the sampling loop publish a snapshot of the agent itself first.
        for (var i = 0; i < 50 && !_uncachedClient.GetStringAsync("/metrics").Result.Contains("target_process_threads", StringComparison.Ordinal); i++)
        {
            Thread.Sleep(100);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cachedClient.Dispose();
        _uncachedClient.Dispose();
        _cached.Dispose();
        _uncached.Dispose();
    }

    [Benchmark(Description = "scrape /metrics, exporter cache off (collect + serialise)")]
    public async Task<int> ScrapeUncached() => (await _uncachedClient.GetByteArrayAsync("/metrics")).Length;

    [Benchmark(Description = "scrape /metrics, exporter cache on (300 ms)")]
    public async Task<int> ScrapeCached() => (await _cachedClient.GetByteArrayAsync("/metrics")).Length;
}
