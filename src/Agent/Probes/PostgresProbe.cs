using System.Net.Security;
using Agent.Configuration;
using HealthChecks.NpgSql;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Agent.Probes;

/// <summary>
/// PostgreSQL through AspNetCore.HealthChecks.NpgSql with <b>one</b> NpgsqlDataSource whose pool
/// holds at most one connection. Npgsql's connect and command timeouts are set to the probe's
/// timeout (Npgsql counts whole seconds, so at least 1 s: the scheduler's hard deadline cuts
/// below that). A pooled connection broken by a server restart is not a dependency failure: the
/// probe clears the pool and tries once more with a fresh connection.
/// </summary>
/// <remarks>
/// TLS keeps PostgreSQL's <c>SSL Mode</c> meanings: <c>Prefer</c> (Npgsql's default) and
/// <c>Require</c> encrypt without verifying the certificate; <c>VerifyCA</c> checks the chain and
/// <c>VerifyFull</c> the chain and the host name, both against the system store plus <c>CaFile</c>
/// through the same <see cref="TlsValidation"/> as the https and redis probes. Npgsql refuses a
/// validation callback of its own in the Verify modes, so the probe asks it for <c>Require</c> and
/// the callback does the verifying. A refused certificate is <c>tls</c>, described by why it was
/// refused; the leaf's notAfter (verified or not) feeds <c>agent_probe_tls_cert_expiry_seconds</c>.
/// </remarks>
internal sealed class PostgresProbe : IProbe
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly NpgSqlHealthCheck _check;
    private readonly TlsValidation _tls;
    private readonly bool _mayEncrypt;
    private readonly bool _requiresTls;

    public PostgresProbe(ProbeDefinition definition)
    {
        Definition = definition;
        var raw = definition.ConnectionString!.Reveal();
        var seconds = (int)Math.Max(1, Math.Ceiling(definition.Timeout.TotalSeconds));
        var builder = new NpgsqlConnectionStringBuilder(raw)
        {
            Timeout = seconds,
            CommandTimeout = seconds,
            Pooling = true,
            MinPoolSize = 0,
            MaxPoolSize = 1,
            ApplicationName = "sidecar-agent",
            Multiplexing = false,
        };
        _tls = new TlsValidation(definition.CaCertificates);
        var sslMode = builder.SslMode;
        _mayEncrypt = sslMode is not SslMode.Disable;
        _requiresTls = sslMode is SslMode.Require or SslMode.VerifyCA or SslMode.VerifyFull;
        RemoteCertificateValidationCallback validation = sslMode switch
        {
            SslMode.VerifyFull => _tls.Validate,
            SslMode.VerifyCA => _tls.ValidateChainOnly,
            _ => _tls.Accept,
        };
        if (sslMode is SslMode.VerifyCA or SslMode.VerifyFull)
        {
            builder.SslMode = SslMode.Require;
        }

        Secrets = builder.Password is { Length: > 0 } password ? [raw, password, builder.ConnectionString] : [raw, builder.ConnectionString];
        var dataSource = new NpgsqlSlimDataSourceBuilder(builder.ConnectionString);
        if (_mayEncrypt)
        {
            dataSource.EnableTransportSecurity().UseSslClientAuthenticationOptionsCallback(o => o.RemoteCertificateValidationCallback = validation);
        }

        _dataSource = dataSource.Build();
        _check = new NpgSqlHealthCheck(new NpgSqlHealthCheckOptions(_dataSource) { CommandText = "SELECT 1" });
    }

    public ProbeDefinition Definition { get; }

    public IReadOnlyCollection<string> Secrets { get; }

    public async Task<ProbeOutcome> CheckAsync(CancellationToken cancellationToken)
    {
        var context = HealthCheckAdapter.Context(Definition, _check);
        var result = await _check.CheckHealthAsync(context, cancellationToken);
        if (result is { Status: not HealthStatus.Healthy, Exception: { } broken } && IsBrokenConnection(broken))
        {
            // Once, with a fresh connection (a retry library for one retry cost the binary ~0.1 MB).
            _dataSource.Clear();
            result = await _check.CheckHealthAsync(context, cancellationToken);
        }

        var outcome = HealthCheckAdapter.ToOutcome(result, "SELECT 1 answered", Secrets);
        if (!_mayEncrypt)
        {
            return outcome;
        }

        if (outcome is { Healthy: false, Reason: FailureReason.Tls })
        {
            outcome = _tls.Explain(outcome);
        }
        else if (_requiresTls && result.Exception is NpgsqlException { InnerException: null } e and not PostgresException && e.Message.StartsWith("SSL connection requested", StringComparison.Ordinal))
        {
            // The server answered the SSLRequest with 'N'; Npgsql says so only in words.
            outcome = ProbeOutcome.Failed(FailureReason.Tls, $"{FailureReason.Tls.Label()}: the server does not offer TLS (ssl=off) but SSL Mode requires it");
        }

        return outcome with { CertificateNotAfter = _tls.LastNotAfter };
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>An established connection that died (server restarted), not a failed connect.</summary>
    private static bool IsBrokenConnection(Exception e) =>
        e is NpgsqlException { InnerException: IOException or EndOfStreamException } or NpgsqlException { IsTransient: true, InnerException: not System.Net.Sockets.SocketException and not TimeoutException }
        || e is PostgresException { SqlState: "57P01" or "57P02" or "57P03" }; // admin shutdown, crash shutdown, cannot connect now
}
