using System.Diagnostics.Metrics;
using Agent.Configuration;
using Agent.Diagnostics;
using Agent.Endpoints;
using Agent.History;
using Agent.Logging;
using Agent.Probes;
using Agent.Procfs;
using Agent.Readiness;
using Agent.Runtimes;
using Agent.Sampling;
using Agent.Status;
using Agent.Telemetry;
using Agent.Triggers;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

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

    public static void AddAgent(this IServiceCollection services, AgentSettings settings)
    {
        services.AddSingleton(settings);
        // SIGTERM: Kestrel finishes in-flight requests, then everything stops within 2 s
        // (Kubernetes' grace period is 30 s; a sidecar should be long gone by then).
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1.5));
        services.AddSingleton(new BearerToken(settings.MetricsToken?.Reveal()));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<RepeatGate>();
        services.AddSingleton(new SamplingSchedule(settings.Sampling.Interval));
        services.AddSingleton(_ => new ProcFs(settings.Sampling.ProcRoot));
        services.AddSingleton<ProcSystem>();
        services.AddSingleton<ProcessReader>();
        services.AddSingleton(_ => TargetSelectorFactory.Create(settings.Target));
        services.AddSingleton(sp => new TargetTracker(
            sp.GetRequiredService<TargetSelector>(),
            sp.GetRequiredService<ProcessReader>(),
            settings.Target.IncludeChildren,
            settings.Sampling.Interval,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Agent.Target"),
            sp.GetRequiredService<RepeatGate>()));
        services.AddSingleton(sp => new TargetSnapshotStore(
            TargetSnapshot.Initial(sp.GetRequiredService<TargetSelector>().Description, sp.GetRequiredService<TimeProvider>().GetUtcNow())));
        services.AddSingleton<Watchdog>();
        services.AddTriggers(settings);
        services.AddSingleton(new HistoryStore(settings.Sampling.Interval, settings.Probes));
        services.AddSingleton<HistoryRecorder>();
        services.AddSingleton<StatusBuilder>();
        services.AddHostedService<TargetSamplingService>();
        // Type=notify under systemd: READY=1 once listening, STOPPING=1 on shutdown (no-op elsewhere).
        services.AddSystemd();
        services.AddSingleton<TargetMetrics>();

        services.AddSingleton<ProbeResultStore>();
        services.AddSingleton(sp => new ProbeMetrics(sp.GetRequiredService<IMeterFactory>(), sp.GetRequiredService<ProbeResultStore>(), sp.GetRequiredService<TimeProvider>(), settings.Probes));
        services.AddSingleton(new ReadinessEvaluator(settings.Probes, settings.Readiness.RequireTarget));
        services.AddSingleton<IReadOnlyList<IProbe>>(_ => settings.Probes.Select(ProbeFactory.Create).ToList());
        services.AddSingleton<IReadOnlyList<ProbeRunner>>(sp =>
        {
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Agent.Probes");
            return sp.GetRequiredService<IReadOnlyList<IProbe>>()
                .Select(p => new ProbeRunner(p, sp.GetRequiredService<ProbeResultStore>(), sp.GetRequiredService<ProbeMetrics>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<RepeatGate>(), logger))
                .ToList();
        });
        services.AddHostedService<ProbeScheduler>();

        services.AddSingleton<RuntimeStore>();
        services.AddSingleton<RuntimeMetrics>();
        services.AddHostedService<DotnetRuntimeService>();
        services.AddHostedService<FederationService>();

        services.AddDiagnostics(settings.Diagnostics);

        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("sidecar-agent", serviceVersion: typeof(AgentServices).Assembly.GetName().Version?.ToString(3)))
            .WithMetrics(m => m
                .AddMeter(TargetMetrics.MeterName, ProbeMetrics.MeterName, RuntimeMetrics.MeterName, FederationService.MeterName, TriggerMetrics.MeterName, DiagnosticsMetrics.MeterName)
                .AddAgentSelfMetrics()
                .AddPrometheusExporter(o =>
                {
                    // Metric names are unique across the agent's meters: scope labels on every
                    // series only make each scrape ~40 % larger.
                    o.ScopeInfoEnabled = false;
                })
                .AddAgentOtlpExporter(settings.Otlp));
    }

    public static void MapAgentEndpoints(this WebApplication app)
    {
        // Build the meter provider first so that it listens before any instrument records (the
        // probe failure counters start at 0), then create the instruments before the first scrape.
        _ = app.Services.GetRequiredService<MeterProvider>();
        _ = app.Services.GetRequiredService<TargetMetrics>();
        _ = app.Services.GetRequiredService<ProbeMetrics>();
        _ = app.Services.GetRequiredService<RuntimeMetrics>();
        _ = app.Services.GetRequiredService<TriggerEngine>();
        if (app.Services.GetRequiredService<AgentSettings>().Target is { Pid: null, PidFile: null, ProcessName: null, CommandLinePattern: null, Auto: false })
        {
            Log.WatchingSelf(app.Logger);
        }

        app.UseMiddleware<TokenAuthorization>();
        app.UseDiagnostics();
        app.MapGet("/", LandingPage.Handle);
        app.MapMethods("/health", ["GET", "HEAD"], HealthEndpoint.Handle);
        app.MapMethods("/ready", ["GET", "HEAD"], ReadyEndpoint.Handle);
        app.MapGet("/diag/triggers", TriggersEndpoint.Handle);
        app.MapGet("/api/status", StatusApiEndpoint.Handle);
        // The exporter maps every method; a scrape is GET (HEAD for checks), anything else is a 405.
        app.MapPrometheusScrapingEndpoint("/metrics").WithMetadata(new HttpMethodMetadata(["GET", "HEAD"]));
    }
}
