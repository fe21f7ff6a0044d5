using Agent.Configuration;
using Agent.Diagnostics;
using Agent.Profiling;
using Agent.Endpoints;
using Agent.History;
using Agent.Logging;
using Agent.Probes;
using Agent.Readiness;
using Agent.Runtimes;
using Agent.Sampling;
using Agent.Status;
using Agent.Telemetry;
using Agent.Triggers;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry.Metrics;

namespace Agent;

/// <summary>Wires the agent's parts together; Program.cs only calls these.</summary>
internal static class AgentServices
{
    public const string DefaultUrl = "http://127.0.0.1:9464";

    /// <summary>Listen on 127.0.0.1:9464 unless the operator chose (--urls, ASPNETCORE_URLS, Kestrel:Endpoints, HTTP_PORTS).</summary>
    public static void UseDefaultUrl(this WebApplicationBuilder builder)
    {
        var c = builder.Configuration;
        if (string.IsNullOrEmpty(c["urls"]) && string.IsNullOrEmpty(c["http_ports"]) && string.IsNullOrEmpty(c["https_ports"])
            && !c.GetSection("Kestrel:Endpoints").GetChildren().Any())
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }
    }

    public static void ConfigureHttp(this WebApplicationBuilder builder) => builder.WebHost.ConfigureKestrel(HttpLimits.Apply);

    /// <summary>Structured logs on stderr: JSON when not on a terminal (containers, systemd), one line otherwise.</summary>
    public static void AddAgentLogging(this WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        if (Console.IsErrorRedirected)
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
        }

        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);

        // Sane defaults even without appsettings.json next to the binary (systemd, a bare binary):
        // ASP.NET Core's per-request Information logs would cost more than serving the request.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
    }

    /// <summary>The agent: one call per feature, each registered beside its code, from its parsed settings.</summary>
    public static void AddAgent(this IServiceCollection services, AgentSettings settings)
    {
        services.AddSingleton(settings);
        // SIGTERM: Kestrel finishes in-flight requests, then everything stops within 2 s
        // (Kubernetes' grace period is 30 s; a sidecar should be long gone by then).
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1.5));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<RepeatGate>();
        // Type=notify under systemd: READY=1 once listening, STOPPING=1 on shutdown (no-op elsewhere).
        services.AddSystemd();

        services.AddTargetSampling(settings.Targets, settings.Sampling);
        services.AddProbes(settings.Probes);
        services.AddReadiness(settings.Readiness);
        services.AddRuntimeCounters(settings.Runtime, settings.Federation);
        // The running agent's attach failures carry what `agent check` says of the socket.
        services.AddSingleton<Runtimes.IAttachAdvisor, Capabilities.DotnetAttachAdvisor>();
        services.AddTriggers(settings);
        services.AddHistory(settings.Sampling, settings.Probes);
        services.AddDiagnostics(settings.Diagnostics);
        services.AddProfiling(settings.Diagnostics, settings.Profiling);
        services.AddAgentTelemetry(settings.Telemetry, settings.Otlp);
        services.AddAgentEndpoints(settings.MetricsToken);
    }

    public static void MapAgentEndpoints(this WebApplication app)
    {
        app.Services.StartAgentTelemetry();
        _ = app.Services.GetRequiredService<TriggerEngine>();
        if (app.Services.GetRequiredService<AgentSettings>().Targets.WatchesSelf)
        {
            Log.WatchingSelf(app.Logger);
        }

        app.UseMiddleware<TokenAuthorization>();
        app.UseDiagnostics();
        app.MapTriggers();
        app.MapGet("/", StatusPageEndpoint.Handle);
        app.MapMethods("/health", ["GET", "HEAD"], HealthEndpoint.Handle);
        app.MapMethods("/ready", ["GET", "HEAD"], ReadyEndpoint.Handle);
        app.MapGet("/api/status", StatusApiEndpoint.Handle);
        // The exporter maps every method; a scrape is GET (HEAD for checks), anything else is a 405.
        // CountersCreated: OpenMetrics' _created of the target counters is their process's start.
        app.MapPrometheusScrapingEndpoint("/metrics", null, b => b.UseMiddleware<CountersCreated>(), null).WithMetadata(new HttpMethodMetadata(["GET", "HEAD"]));
    }
}
