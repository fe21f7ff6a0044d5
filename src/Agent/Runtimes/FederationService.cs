using Agent.Configuration;
using Agent.Logging;

namespace Agent.Runtimes;

/// <summary>
/// Scrapes each target's own metrics endpoint (e.g. Python's prometheus_client) every interval
/// under a hard deadline and a size limit, and publishes what <see cref="FederationSelector"/>
/// keeps to the <see cref="RuntimeStore"/> under the endpoint's key; <c>Telemetry/FederationMetrics</c>
/// exposes it. Each endpoint has a loop of its own, so a hung or dead one never delays another. A
/// failed or malformed scrape publishes a disconnected snapshot for that endpoint: its series go
/// (nothing stale), the others' stay.
/// </summary>
internal sealed class FederationService : BackgroundService
{
    private const long MaxBytes = 4 * 1024 * 1024;

    private readonly RuntimeSettings _options;
    private readonly IReadOnlyList<FederationEndpoint> _endpoints;
    private readonly TimeSpan _interval;
    private readonly RuntimeStore _store;
    private readonly TimeProvider _time;
    private readonly RepeatGate _gate;
    private readonly ILogger<FederationService> _logger;
    private readonly HttpClient _client;

    public FederationService(RuntimeSettings runtime, IReadOnlyList<FederationEndpoint> endpoints, SamplingOptions sampling, RuntimeStore store, TimeProvider time, RepeatGate gate, ILogger<FederationService> logger)
    {
        _options = runtime;
        _endpoints = endpoints;
        _interval = sampling.Interval;
        _store = store;
        _time = time;
        _gate = gate;
        _logger = logger;
        // One connection per endpoint (host:port) at most; the limits are per request.
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

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_endpoints.Select(e => Follow(e, stoppingToken)));

    private async Task Follow(FederationEndpoint endpoint, CancellationToken stoppingToken)
    {
        await Task.Yield();
        var gateKey = "federation:" + endpoint.Key;
        using var timer = new PeriodicTimer(_interval, _time);
        do
        {
            FederatedSnapshot next;
            try
            {
                var text = await Fetch(endpoint.Url, stoppingToken);
                next = FederationSelector.Select(ExpositionParser.Parse(text), _options.MetricsInclude);
                _gate.Reset(gateKey);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                next = FederatedSnapshot.Disconnected;
                if (_gate.ShouldLog(gateKey, out var suppressed))
                {
                    RuntimesLog.FederationFailed(_logger, endpoint.Url.OriginalString, e.GetType().Name, e.Message, suppressed);
                }
            }

            _store.Publish(endpoint.Key, next);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>
    /// One scrape under the hard deadline, which also covers a server that trickles bytes forever;
    /// the deadline cancels the request itself (its connection is closed), not only the wait.
    /// </summary>
    private async Task<string> Fetch(Uri url, CancellationToken stoppingToken)
    {
        try
        {
            return await Common.Deadline<string>.Start(ct => _client.GetStringAsync(url, ct), _options.MetricsTimeout, _time, stoppingToken).WaitAsync();
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no answer within {_options.MetricsTimeout.TotalMilliseconds:F0} ms (Runtime:MetricsTimeout)");
        }
    }
}
