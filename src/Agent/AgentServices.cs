using Agent.Configuration;
using Agent.Containers;
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
using Agent.Traffic;
using Agent.Triggers;
using Microsoft.Extensions.Logging.Console;

namespace Agent;

/// <summary>Wires the agent's parts together; Program.cs only calls these.</summary>
internal static class AgentServices
{
    public const string DefaultUrl = "http://127.0.0.1:9464";

    /// <summary>
    /// The host's arguments: the agent's configuration arguments, after one that turns off the
    /// reload of appsettings.json on change. The agent parses its configuration once at start
    /// (<see cref="AgentSettings"/>), so the watcher would only cost every pod a thread
    /// (".NET File Watch", inotify). An explicit <c>--hostBuilder:reloadConfigOnChange=true</c> still wins.
    /// </summary>
    public static string[] HostArguments(string[] configurationArgs) => ["--hostBuilder:reloadConfigOnChange=false", .. configurationArgs];

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
        services.AddContainers(settings.Sampling.CgroupInterval, watchOomKills: !settings.Targets.WatchesSelf);
        services.AddProbes(settings.Probes);
        services.AddReadiness(settings.Readiness);
        services.AddRuntimeCounters(settings.Runtime, settings.Federation);
        services.AddTraffic(settings.Traffic);
        // The running agent's attach failures carry what `agent check` says of the socket.
        services.AddSingleton<Runtimes.IAttachAdvisor, Capabilities.DotnetAttachAdvisor>();
        services.AddTriggers(settings);
        services.AddHistory(settings.Sampling, settings.Probes);
        services.AddSingleton<StatusBuilder>(); // the page and /api/status, built from the history
        services.AddDiagnostics(settings.Diagnostics);
        services.AddProfiling(settings.Diagnostics, settings.Profiling);
        services.AddAgentTelemetry(settings.Telemetry, settings.Otlp, MetricStreams.From(settings), settings.Diagnostics.Enabled);
        services.AddAgentEndpoints(settings.MetricsToken);
    }

    public static void MapAgentEndpoints(this WebApplication app)
    {
        app.Services.StartAgentTelemetry();
        _ = app.Services.GetRequiredService<TriggerEngine>();
        if (app.Services.GetRequiredService<AgentSettings>().Targets.WatchesSelf)
        {
            SamplingLog.WatchingSelf(app.Logger);
        }

        app.UseMiddleware<TokenAuthorization>();
        app.UseDiagnostics();
        app.MapDiagnostics();
        app.MapTriggers();
        app.MapGet("/", StatusPageEndpoint.Handle);
        app.MapMethods("/health", ["GET", "HEAD"], HealthEndpoint.Handle);
        app.MapMethods("/ready", ["GET", "HEAD"], ReadyEndpoint.Handle);
        app.MapGet("/api/status", StatusApiEndpoint.Handle);
        // The exporter maps every method; a scrape is GET (HEAD for checks), anything else is a 405.
        // On the exporter's body, outermost first: the traffic summaries join it (its SDK has no summary
        // type) and gzip the whole when any exist; CountersCreated rewrites OpenMetrics' _created of the
        // target counters to their process's start (it sees no Accept-Encoding when the summaries' step buffers).
        app.MapPrometheusScrapingEndpoint("/metrics", null, branch => branch.UseMiddleware<MetricsExposition>().UseMiddleware<CountersCreated>(), null).WithMetadata(new HttpMethodMetadata(["GET", "HEAD"]));
    }
}
