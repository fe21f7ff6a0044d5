using Agent.Configuration;
using Agent.Logging;

namespace Agent.Runtimes;

/// <summary>
/// Scrapes the target's own metrics endpoint (e.g. Python's prometheus_client) every interval
/// under a hard deadline and a size limit, and publishes what <see cref="FederationSelector"/>
/// keeps to the <see cref="RuntimeStore"/>; <c>Telemetry/FederationMetrics</c> exposes it. A failed
/// or malformed scrape publishes a disconnected snapshot: every federated series goes (nothing stale).
/// </summary>
internal sealed class FederationService : BackgroundService
{
    private const long MaxBytes = 4 * 1024 * 1024;

    private readonly RuntimeSettings _options;
    private readonly TimeSpan _interval;
    private readonly RuntimeStore _store;
    private readonly TimeProvider _time;
    private readonly RepeatGate _gate;
    private readonly ILogger<FederationService> _logger;
    private readonly HttpClient _client;

    public FederationService(RuntimeSettings runtime, SamplingOptions sampling, RuntimeStore store, TimeProvider time, RepeatGate gate, ILogger<FederationService> logger)
    {
        _options = runtime;
        _interval = sampling.Interval;
        _store = store;
        _time = time;
        _gate = gate;
        _logger = logger;
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
                var text = await Fetch(url, stoppingToken);
                next = FederationSelector.Select(ExpositionParser.Parse(text), _options.MetricsInclude);
                _gate.Reset("federation");
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                next = FederatedSnapshot.Disconnected;
                if (_gate.ShouldLog("federation", out var suppressed))
                {
                    Log.FederationFailed(_logger, url.OriginalString, e.GetType().Name, e.Message, suppressed);
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
}
