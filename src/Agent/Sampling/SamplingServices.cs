using Agent.Configuration;
using Agent.Logging;
using Agent.Procfs;

namespace Agent.Sampling;

/// <summary>Registers target sampling: procfs, the targets (configured and discovered), the loop and its snapshot store.</summary>
internal static class SamplingServices
{
    public static IServiceCollection AddTargetSampling(this IServiceCollection services, TargetPlan targets, SamplingOptions sampling)
    {
        services.AddSingleton(targets);
        services.AddSingleton(sampling);
        services.AddSingleton(new SamplingSchedule(sampling.Interval));
        services.AddSingleton(new ProcFs(sampling.ProcRoot));
        services.AddSingleton(sp => sp.GetRequiredService<ProcFs>().System);
        services.AddSingleton<ProcessReader>();
        services.AddSingleton(sp => new TrackerFactory(
            sp.GetRequiredService<ProcessReader>(),
            sampling.Interval,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Agent.Target"),
            sp.GetRequiredService<RepeatGate>()));
        services.AddSingleton(sp =>
        {
            var factory = sp.GetRequiredService<TrackerFactory>();
            var configured = targets.Targets.Select(t => factory.Create(t.Name, t.Required, TargetSelectorFactory.Create(t.Selector), t.Selector.IncludeChildren));
            var auto = targets.Auto
                ? new AutoDiscovery(factory, AutoDiscovery.KnownProxies.Concat(targets.ExtraProxies).ToHashSet(StringComparer.Ordinal), targets.AutoIncludeChildren)
                : null;
            return new TargetSet(configured, auto, factory.Reader, factory.Reader.Fs.OwnPid(), factory.Time);
        });
        services.AddSingleton(sp => new TargetSnapshotStore(sp.GetRequiredService<TargetSet>().Initial(sp.GetRequiredService<TimeProvider>().GetUtcNow())));
        services.AddSingleton<Watchdog>();
        services.AddHostedService<TargetSamplingService>();
        return services;
    }
}
