using Agent.Configuration;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Agent.Telemetry;

/// <summary>
/// Registers every meter of the agent (one class each, all in this folder), the agent's own
/// runtime/process metrics as <c>Telemetry:SelfMetrics</c> asks, the Prometheus exporter and the
/// optional OTLP push.
/// </summary>
internal static class TelemetryServices
{
    public static IServiceCollection AddAgentTelemetry(this IServiceCollection services, TelemetrySettings telemetry, OtlpSettings otlp, MetricStreams streams, bool diagnostics)
    {
        services.AddSingleton(telemetry);
        services.AddSingleton<TargetMetrics>();
        services.AddSingleton<ContainerMetrics>();
        services.AddSingleton<ProbeMetrics>();
        services.AddSingleton<RuntimeMetrics>();
        services.AddSingleton<FederationMetrics>();
        services.AddSingleton<TrafficMetrics>();
        services.AddSingleton<TriggerMetrics>();
        services.AddSingleton<ProfilingMetrics>();
        if (diagnostics)
        {
            // Only with diagnostics on: it reads the artifact store, which exists only then (a
            // registration whose dependency is missing fails the container's validation).
            services.AddSingleton<DiagnosticsMetrics>();
        }
        services.AddSingleton<SelfMetrics>();
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("sidecar-agent", serviceVersion: typeof(TelemetryServices).Assembly.GetName().Version?.ToString(3)))
            .WithMetrics(m => SelfMetrics.Configure(m, telemetry.SelfMetrics)
                .AddMeter(TargetMetrics.MeterName, ContainerMetrics.MeterName, ProbeMetrics.MeterName, RuntimeMetrics.MeterName, FederationMetrics.MeterName, TriggerMetrics.MeterName, DiagnosticsMetrics.MeterName, TrafficMetrics.MeterName, ProfilingMetrics.MeterName)
                .AddView(streams.For)
                .AddPrometheusExporter(o =>
                {
                    // Metric names are unique across the agent's meters: scope labels on every
                    // series only make each scrape ~40 % larger.
                    o.ScopeInfoEnabled = false;
                })
                .AddAgentOtlpExporter(otlp));
        return services;
    }

    /// <summary>
    /// Builds the meter provider first so that it listens before any instrument records (the
    /// probe failure counters start at 0), then creates the instruments before the first scrape.
    /// </summary>
    public static void StartAgentTelemetry(this IServiceProvider services)
    {
        _ = services.GetRequiredService<MeterProvider>();
        _ = services.GetRequiredService<TargetMetrics>();
        _ = services.GetRequiredService<ContainerMetrics>();
        _ = services.GetRequiredService<ProbeMetrics>();
        _ = services.GetRequiredService<RuntimeMetrics>();
        _ = services.GetRequiredService<FederationMetrics>();
        _ = services.GetRequiredService<TrafficMetrics>();
        _ = services.GetRequiredService<SelfMetrics>();
        _ = services.GetRequiredService<TriggerMetrics>();
        _ = services.GetRequiredService<ProfilingMetrics>();
        if (services.GetRequiredService<DiagnosticsSettings>().Enabled)
        {
            _ = services.GetRequiredService<DiagnosticsMetrics>();
        }
    }
}
