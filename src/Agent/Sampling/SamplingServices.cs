using Agent.Configuration;
using Agent.Logging;
using Agent.Procfs;

namespace Agent.Sampling;

/// <summary>Registers target sampling: procfs, the selector, the tracker, the loop and its snapshot store.</summary>
internal static class SamplingServices
{
    public static IServiceCollection AddTargetSampling(this IServiceCollection services, TargetSettings target, SamplingOptions sampling)
    {
        services.AddSingleton(target);
        services.AddSingleton(sampling);
        services.AddSingleton(new SamplingSchedule(sampling.Interval));
        services.AddSingleton(new ProcFs(sampling.ProcRoot));
        services.AddSingleton<ProcSystem>();
        services.AddSingleton<ProcessReader>();
        services.AddSingleton(_ => TargetSelectorFactory.Create(target));
        services.AddSingleton(sp => new TargetTracker(
            sp.GetRequiredService<TargetSelector>(),
            sp.GetRequiredService<ProcessReader>(),
            target.IncludeChildren,
            sampling.Interval,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Agent.Target"),
            sp.GetRequiredService<RepeatGate>()));
        services.AddSingleton(sp => new TargetSnapshotStore(
            TargetSnapshot.Initial(sp.GetRequiredService<TargetSelector>().Description, sp.GetRequiredService<TimeProvider>().GetUtcNow())));
        services.AddSingleton<Watchdog>();
        services.AddHostedService<TargetSamplingService>();
        return services;
    }
}
