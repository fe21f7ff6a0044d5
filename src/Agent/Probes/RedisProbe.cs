using System.Diagnostics;
using Agent.Configuration;
using HealthChecks.Redis;
using StackExchange.Redis;

namespace Agent.Probes;

/// <summary>
/// Redis through AspNetCore.HealthChecks.Redis with at most <b>one</b> ConnectionMultiplexer at a
/// time. Its connect, sync and async timeouts are set to the probe's timeout, and the
/// subscription connection is disabled so the agent holds a single connection.
/// </summary>
/// <remarks>
/// Naming the cause. A disconnected multiplexer reports only the <em>first</em> failure of an
/// outage (its ConnectionFailed event fires once; measured: a server killed, then restarted with
/// another password, then replaced by a silent listener raised one SocketClosed and nothing
/// more), and a PING on it only queues and times out. So a check that finds no connected
/// multiplexer asks afresh, cheapest question first:
/// <list type="number">
/// <item>a plain TCP connect to the endpoint names <c>refused</c>, <c>dns</c> or a connect
/// <c>timeout</c> within milliseconds (a multiplexer's own failed connect takes hundreds);</item>
/// <item>if the port answers, a new multiplexer connects with <c>AbortOnConnectFail</c>, so its
/// failure throws with a type: a wrong password or ACL user is <c>AuthenticationFailure</c>
/// (<c>auth</c>); a handshake that did not finish within the connect timeout is <c>timeout</c>,
/// one that failed sooner is <c>protocol</c> (something else answers on the port).</item>
/// </list>
/// Once connected, the multiplexer reconnects by itself after a blip until a check finds it
/// disconnected and replaces it.
/// With <c>ssl=true</c> the server's certificate is checked against the system store plus
/// <c>CaFile</c> by the same <see cref="TlsValidation"/> as an https probe: a refused certificate
/// is <c>tls</c> (the client reports it as an authentication failure, which would read as a wrong
/// password), and the leaf's notAfter feeds <c>agent_probe_tls_cert_expiry_seconds</c>.
/// </remarks>
internal sealed class RedisProbe : IProbe
{
    private const int DefaultPort = 6379;

    private readonly ConfigurationOptions _options;
    private readonly TlsValidation _tls;
    private readonly Lock _lock = new();
    private Task<ConnectionMultiplexer>? _connecting;
    private long _connectStarted;

    public RedisProbe(ProbeDefinition definition)
    {
        Definition = definition;
        var raw = definition.ConnectionString!.Reveal();
        _options = ConfigurationOptions.Parse(raw);
        var ms = (int)Math.Max(1, definition.Timeout.TotalMilliseconds);
        _options.AbortOnConnectFail = true;
        _options.ConnectTimeout = ms;
        _options.SyncTimeout = ms;
        _options.AsyncTimeout = ms;
        _options.ConnectRetry = 1;
        _options.ClientName ??= "sidecar-agent";
        _options.ReconnectRetryPolicy = new ExponentialRetry(500, 10_000);
        _options.CommandMap = CommandMap.Create(["SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE"], available: false);
        _tls = new TlsValidation(definition.CaCertificates);
        if (_options.Ssl)
        {
            _options.CertificateValidation += _tls.Validate;
        }

        Secrets = _options.Password is { Length: > 0 } password ? [raw, password] : [raw];
    }

    public ProbeDefinition Definition { get; }

    public IReadOnlyCollection<string> Secrets { get; }

    public async Task<ProbeOutcome> CheckAsync(CancellationToken cancellationToken) =>
        _options.Ssl ? await CheckOnceAsync(cancellationToken) with { CertificateNotAfter = _tls.LastNotAfter } : await CheckOnceAsync(cancellationToken);

    private async Task<ProbeOutcome> CheckOnceAsync(CancellationToken cancellationToken)
    {
        var mux = await Connected(cancellationToken);
        if (mux.Failure is { } failure)
        {
            return failure;
        }

        var check = new RedisHealthCheck(mux.Multiplexer!);
        var result = await check.CheckHealthAsync(HealthCheckAdapter.Context(Definition, check), cancellationToken);
        if (result.Exception is RedisConnectionException { FailureType: not (ConnectionFailureType.AuthenticationFailure or ConnectionFailureType.ProtocolFailure) }
            && _options.EndPoints.FirstOrDefault() is { } endpoint
            && await Reachability.Connect(endpoint, DefaultPort, Secrets, cancellationToken) is { } unreachable)
        {
            // The connection broke under the PING (a server that just died): say why.
            return unreachable;
        }

        return HealthCheckAdapter.ToOutcome(result, "PING answered", Secrets);
    }

    /// <summary>The connected multiplexer, or why there is none (see remarks).</summary>
    private async Task<(ConnectionMultiplexer? Multiplexer, ProbeOutcome? Failure)> Connected(CancellationToken cancellationToken)
    {
        Task<ConnectionMultiplexer>? current;
        lock (_lock)
        {
            current = _connecting;
        }

        if (current is { IsCompletedSuccessfully: true, Result.IsConnected: true })
        {
            return (current.Result, null);
        }

        if (current is { IsCompleted: true })
        {
            // Failed, or connected once and now reconnecting with a stale reason: replace it.
            Forget(current);
            if (current.IsCompletedSuccessfully)
            {
                await current.Result.DisposeAsync();
            }

            current = null;
        }

        if (current is null)
        {
            if (_options.EndPoints.FirstOrDefault() is not { } endpoint)
            {
                return (null, ProbeOutcome.Failed(FailureReason.Error, "error: no endpoint configured"));
            }

            if (await Reachability.Connect(endpoint, DefaultPort, Secrets, cancellationToken) is { } unreachable)
            {
                return (null, unreachable);
            }
        }

        var connecting = Connecting();
        try
        {
            var mux = await connecting.WaitAsync(cancellationToken);
            return mux.IsConnected ? (mux, null) : (null, ProbeOutcome.Failed(FailureReason.Error, "error: connected, then disconnected at once"));
        }
        catch (RedisConnectionException e)
        {
            var took = Forget(connecting);
            return (null, Classify(e, took));
        }
    }

    /// <summary>
    /// One connect task at a time for the probe's lifetime: a check abandoned mid-connect must not
    /// lead the next check to create a second multiplexer; it waits on the same connect instead.
    /// </summary>
    private Task<ConnectionMultiplexer> Connecting()
    {
        lock (_lock)
        {
            if (_connecting is null)
            {
                _connectStarted = Stopwatch.GetTimestamp();
                _connecting = ConnectionMultiplexer.ConnectAsync(_options);
            }

            return _connecting;
        }
    }

    /// <summary>Drops a failed or disconnected multiplexer; returns how long its connect has taken.</summary>
    private TimeSpan Forget(Task<ConnectionMultiplexer> connecting)
    {
        lock (_lock)
        {
            if (ReferenceEquals(_connecting, connecting))
            {
                _connecting = null;
            }

            return Stopwatch.GetElapsedTime(_connectStarted);
        }
    }

    /// <summary>A connect to a reachable port failed: authentication and protocol failures name themselves.</summary>
    private ProbeOutcome Classify(RedisConnectionException e, TimeSpan took)
    {
        if (_options.Ssl && _tls.Refusal() is { } refusal)
        {
            return refusal;
        }

        if (e.FailureType is ConnectionFailureType.AuthenticationFailure or ConnectionFailureType.ProtocolFailure)
        {
            return FailureClassifier.Classify(e, Secrets);
        }

        return took >= Definition.Timeout * 0.9
            ? ProbeOutcome.Failed(FailureReason.Timeout, $"timeout: the server accepts connections but did not complete the Redis handshake within {Definition.Timeout.TotalMilliseconds:F0} ms")
            : ProbeOutcome.Failed(FailureReason.Protocol, "protocol: the server accepts connections but did not answer as Redis");
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
