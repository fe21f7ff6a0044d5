using System.Net;
using System.Net.Sockets;
using Agent.Configuration;
using HealthChecks.Redis;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Agent.Probes;

/// <summary>
/// Redis through AspNetCore.HealthChecks.Redis with <b>one</b> ConnectionMultiplexer for the
/// probe's lifetime. The multiplexer reconnects by itself with exponential backoff; its connect,
/// sync and async timeouts are set to the probe's timeout, and the subscription connection is
/// disabled so the agent holds a single connection.
/// </summary>
internal sealed class RedisProbe : IProbe
{
    private readonly ConfigurationOptions _options;
    private readonly Lock _lock = new();
    private Task<ConnectionMultiplexer>? _connecting;

    public RedisProbe(ProbeDefinition definition)
    {
        Definition = definition;
        var raw = definition.ConnectionString!.Reveal();
        _options = ConfigurationOptions.Parse(raw);
        var ms = (int)Math.Max(1, definition.Timeout.TotalMilliseconds);
        _options.AbortOnConnectFail = false;
        _options.ConnectTimeout = ms;
        _options.SyncTimeout = ms;
        _options.AsyncTimeout = ms;
        _options.ConnectRetry = 1;
        _options.ClientName ??= "sidecar-agent";
        _options.ReconnectRetryPolicy = new ExponentialRetry(500, 10_000);
        _options.CommandMap = CommandMap.Create(["SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE"], available: false);
        Secrets = _options.Password is { Length: > 0 } password ? [raw, password] : [raw];
    }

    public ProbeDefinition Definition { get; }

    public IReadOnlyCollection<string> Secrets { get; }

    public async Task<ProbeOutcome> CheckAsync(CancellationToken cancellationToken)
    {
        Task<ConnectionMultiplexer> connecting;
        lock (_lock)
        {
            // One connect task for the probe's lifetime: a check abandoned mid-connect must not
            // lead the next check to create a second multiplexer.
            connecting = _connecting ??= ConnectionMultiplexer.ConnectAsync(_options);
        }

        var mux = await connecting.WaitAsync(cancellationToken);
        if (!mux.IsConnected)
        {
            // A PING would only queue behind the reconnect and time out, hiding the cause.
            // Ask the network directly why the server cannot be reached.
            return await WhyDisconnected(mux, cancellationToken);
        }

        var check = new RedisHealthCheck(mux);
        var result = await check.CheckHealthAsync(HealthCheckAdapter.Context(Definition, check), cancellationToken);
        return HealthCheckAdapter.ToOutcome(result, "PING answered", Secrets);
    }

    private async Task<ProbeOutcome> WhyDisconnected(ConnectionMultiplexer mux, CancellationToken cancellationToken)
    {
        if (_options.EndPoints.FirstOrDefault() is not { } endpoint)
        {
            return ProbeOutcome.Failed(FailureReason.Error, "no endpoint configured");
        }

        var (host, port) = endpoint switch
        {
            DnsEndPoint d => (d.Host, d.Port),
            IPEndPoint ip => (ip.Address.ToString(), ip.Port),
            _ => (endpoint.ToString() ?? string.Empty, 6379),
        };
        try
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(host, port, cancellationToken);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return FailureClassifier.Classify(e, Secrets);
        }

        // The port answers but the multiplexer is not connected: authentication or handshake.
        var status = FailureClassifier.Scrub(mux.GetStatus(), Secrets);
        var reason = status.Contains("AuthenticationFailure", StringComparison.Ordinal) || status.Contains("NOAUTH", StringComparison.Ordinal) || status.Contains("WRONGPASS", StringComparison.Ordinal)
            ? FailureReason.Auth
            : FailureReason.Error;
        return ProbeOutcome.Failed(reason, $"{reason}: server reachable but not connected (reconnecting)");
    }

    public async ValueTask DisposeAsync()
    {
        Task<ConnectionMultiplexer>? connecting;
        lock (_lock)
        {
            connecting = _connecting;
        }

        if (connecting is { IsCompletedSuccessfully: true })
        {
            await connecting.Result.DisposeAsync();
        }
    }
}
