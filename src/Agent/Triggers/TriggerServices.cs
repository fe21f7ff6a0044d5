using Agent.Configuration;
using Agent.Logging;
using Agent.Runtimes;
using Agent.Sampling;

namespace Agent.Triggers;

/// <summary>Composition of the trigger feature.</summary>
internal static partial class TriggerServices
{
    /// <summary>The engine, told of each sampling tick, and the capture seam (its metrics: AddAgentTelemetry).</summary>
    public static IServiceCollection AddTriggers(this IServiceCollection services, AgentSettings settings)
    {
        services.AddSingleton<ICaptureStarter, UnavailableCaptureStarter>();
        services.AddSingleton(sp => new TriggerEngine(
            settings.Triggers,
            sp.GetRequiredService<SamplingSchedule>(),
            sp.GetRequiredService<RuntimeStore>(),
            sp.GetRequiredService<ICaptureStarter>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<RepeatGate>(),
            sp.GetRequiredService<ILogger<TriggerEngine>>(),
            sp.GetRequiredService<Traffic.TrafficStore>()));
        services.AddSingleton<ISamplingObserver>(sp => sp.GetRequiredService<TriggerEngine>());
        return services;
    }

    /// <summary>
    /// <c>/diag/triggers</c> with the other /diag routes (after <c>UseDiagnostics</c>, behind its token),
    /// or, with diagnostics off, one warning that triggers will fire but capture nothing.
    /// </summary>
    public static void MapTriggers(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<AgentSettings>();
        if (settings.Diagnostics.Enabled)
        {
            app.MapGet("/diag/triggers", TriggersEndpoint.Handle);
        }
        else if (settings.Triggers.Count > 0)
        {
            TriggersLog.CapturesOff(app.Logger, settings.Triggers.Count, UnavailableCaptureStarter.Reason);
        }
    }
}
