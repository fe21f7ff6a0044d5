using Agent.Configuration;
using Agent.Logging;
using Agent.Runtimes;
using Agent.Sampling;
using Agent.Telemetry;

namespace Agent.Triggers;

/// <summary>Composition of the trigger feature.</summary>
internal static class TriggerServices
{
    /// <summary>The engine the sampling loop calls on each tick and the capture seam (its metrics: AddAgentTelemetry).</summary>
    public static IServiceCollection AddTriggers(this IServiceCollection services, AgentSettings settings)
    {
        services.AddSingleton<ICaptureStarter, UnavailableCaptureStarter>();
        services.AddSingleton(sp => new TriggerEngine(
            settings.Triggers,
            sp.GetRequiredService<SamplingSchedule>(),
            sp.GetRequiredService<RuntimeStore>(),
            sp.GetRequiredService<ICaptureStarter>(),
            sp.GetRequiredService<TriggerMetrics>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<RepeatGate>(),
            sp.GetRequiredService<ILogger<TriggerEngine>>()));
        return services;
    }
}
