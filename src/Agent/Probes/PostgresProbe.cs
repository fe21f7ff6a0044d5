using Agent.Configuration;
using HealthChecks.NpgSql;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Polly;
using Polly.Retry;

namespace Agent.Probes;

/// <summary>
/// PostgreSQL through AspNetCore.HealthChecks.NpgSql with <b>one</b> NpgsqlDataSource whose pool
/// holds at most one connection. Npgsql's connect and command timeouts are set to the probe's
/// timeout (Npgsql counts whole seconds, so at least 1 s: the scheduler's hard deadline cuts
/// below that). A pooled connection broken by a server restart is not a dependency failure: a
/// Polly retry clears the pool and tries once more with a fresh connection.
/// </summary>
internal sealed class PostgresProbe : IProbe
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly NpgSqlHealthCheck _check;
    private readonly ResiliencePipeline<HealthCheckResult> _retryOnBrokenConnection;

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
        Secrets = builder.Password is { Length: > 0 } password ? [raw, password, builder.ConnectionString] : [raw, builder.ConnectionString];
        _dataSource = new NpgsqlSlimDataSourceBuilder(builder.ConnectionString).Build();
        _check = new NpgSqlHealthCheck(new NpgSqlHealthCheckOptions(_dataSource) { CommandText = "SELECT 1" });
        _retryOnBrokenConnection = new ResiliencePipelineBuilder<HealthCheckResult>()
            .AddRetry(new RetryStrategyOptions<HealthCheckResult>
            {
                MaxRetryAttempts = 1,
                Delay = TimeSpan.Zero,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { Status: not HealthStatus.Healthy, Exception: { } e } && IsBrokenConnection(e)),
                OnRetry = _ =>
                {
                    _dataSource.Clear();
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    public ProbeDefinition Definition { get; }

    public IReadOnlyCollection<string> Secrets { get; }

    public async Task<ProbeOutcome> CheckAsync(CancellationToken cancellationToken)
    {
        var context = HealthCheckAdapter.Context(Definition, _check);
        var result = await _retryOnBrokenConnection.ExecuteAsync(ct => new ValueTask<HealthCheckResult>(_check.CheckHealthAsync(context, ct)), cancellationToken);
        return HealthCheckAdapter.ToOutcome(result, "SELECT 1 answered", Secrets);
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>An established connection that died (server restarted), not a failed connect.</summary>
    private static bool IsBrokenConnection(Exception e) =>
        e is NpgsqlException { InnerException: IOException or EndOfStreamException } or NpgsqlException { IsTransient: true, InnerException: not System.Net.Sockets.SocketException and not TimeoutException }
        || e is PostgresException { SqlState: "57P01" or "57P02" or "57P03" }; // admin shutdown, crash shutdown, cannot connect now
}
