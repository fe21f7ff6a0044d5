using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using Agent.Configuration;
using Agent.Logging;

namespace Agent.Runtimes;

/// <summary>
/// Scrapes the target's own metrics endpoint (e.g. Python's prometheus_client) every interval
/// under a hard deadline and a size limit, keeps the families matching
/// <c>Runtime:MetricsInclude</c> and re-exposes them with a <c>target_</c> prefix, labels kept.
/// Counters stay counters, gauges and untyped stay gauges; histograms and summaries are not
/// re-exposed. A failed or malformed scrape drops every federated series (nothing stale).
/// </summary>
internal sealed class FederationService : BackgroundService
{
    public const string MeterName = "Agent.Federation";
    private const long MaxBytes = 4 * 1024 * 1024;

    private static readonly string[] Reserved = ["target_process_", "target_dotnet_", "target_runtime_", "target_up", "target_restarts", "target_processes", "target_info"];

    private readonly RuntimeOptions _options;
    private readonly TimeSpan _interval;
    private readonly RuntimeStore _store;
    private readonly TimeProvider _time;
    private readonly RepeatGate _gate;
    private readonly ILogger<FederationService> _logger;
    private readonly Regex _include;
    private readonly Meter _meter;
    private readonly HashSet<string> _instruments = new(StringComparer.Ordinal);
    private readonly HttpClient _client;

    public FederationService(AgentSettings settings, RuntimeStore store, IMeterFactory meters, TimeProvider time, RepeatGate gate, ILogger<FederationService> logger)
    {
        _options = settings.Runtime;
        _interval = settings.Sampling.Interval;
        _store = store;
        _time = time;
        _gate = gate;
        _logger = logger;
        _include = AgentSettings.CompilePattern(_options.MetricsInclude);
        _meter = meters.Create(MeterName);
        _client = new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = _options.MetricsTimeout, AllowAutoRedirect = false, MaxConnectionsPerServer = 1 })
        {
            Timeout = Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = MaxBytes,
        };
        _client.DefaultRequestHeaders.Accept.ParseAdd("text/plain;version=0.0.4");
    }

    public override void Dispose()
    {
        _client.Dispose();
        _meter.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.MetricsUrl is not { } url)
        {
            return;
        }

        using var timer = new PeriodicTimer(_interval, _time);
        do
        {
            FederatedSnapshot next;
            try
            {
                var text = await Fetch(new Uri(url), stoppingToken);
                next = Select(ExpositionParser.Parse(text));
                _gate.Reset("federation");
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                next = FederatedSnapshot.Disconnected;
                if (_gate.ShouldLog("federation", out var suppressed))
                {
                    Log.FederationFailed(_logger, url, e.GetType().Name, e.Message, suppressed);
                }
            }

            _store.Publish(next);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task<string> Fetch(Uri url, CancellationToken stoppingToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        cts.CancelAfter(_options.MetricsTimeout);
        // The hard deadline also covers a server that trickles bytes forever.
        return await Task.Run(() => _client.GetStringAsync(url, cts.Token), CancellationToken.None).WaitAsync(_options.MetricsTimeout, _time, stoppingToken);
    }

    private FederatedSnapshot Select(IReadOnlyList<ScrapedFamily> families)
    {
        var series = new Dictionary<string, IReadOnlyList<FederatedPoint>>(StringComparer.Ordinal);
        foreach (var family in families)
        {
            if (!_include.IsMatch(family.Name))
            {
                continue;
            }

            var (instrument, sampleName, counter) = family.Type switch
            {
                "counter" => ("target_" + Strip(family.Name, "_total"), Strip(family.Name, "_total") + "_total", true),
                "gauge" or "untyped" => ("target_" + family.Name, family.Name, false),
                "info" => ("target_" + Strip(family.Name, "_info") + "_info", Strip(family.Name, "_info") + "_info", false),
                _ => (null, null, false),
            };
            if (instrument is null || Reserved.Any(r => instrument.StartsWith(r, StringComparison.Ordinal)))
            {
                continue;
            }

            var points = family.Samples
                .Where(s => s.Name == sampleName || (!counter && s.Name == family.Name))
                .Select(s => new FederatedPoint(s.Labels.Select(l => new KeyValuePair<string, object?>(l.Key, l.Value)).ToArray(), s.Value))
                .ToList();
            if (points.Count == 0)
            {
                continue;
            }

            series[instrument] = points;
            EnsureInstrument(instrument, counter, family.Help);
        }

        return new FederatedSnapshot(true, series);
    }

    private void EnsureInstrument(string name, bool counter, string? help)
    {
        if (!_instruments.Add(name))
        {
            return;
        }

        if (counter)
        {
            _meter.CreateObservableCounter(name, () => Points(name), null, help);
        }
        else
        {
            _meter.CreateObservableGauge(name, () => Points(name), null, help);
        }
    }

    private IEnumerable<Measurement<double>> Points(string instrument)
    {
        if (!_store.Federated.Series.TryGetValue(instrument, out var points))
        {
            yield break;
        }

        foreach (var p in points)
        {
            yield return new Measurement<double>(p.Value, p.Labels.ToArray());
        }
    }

    private static string Strip(string s, string suffix) => s.EndsWith(suffix, StringComparison.Ordinal) ? s[..^suffix.Length] : s;
}
