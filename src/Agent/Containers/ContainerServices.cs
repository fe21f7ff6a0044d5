using Agent.Procfs;

namespace Agent.Containers;

/// <summary>Registers the container view: the per-target cgroup sampler the sampling loop calls, and the OOM watcher.</summary>
internal static class ContainerServices
{
    public static IServiceCollection AddContainers(this IServiceCollection services)
    {
        services.AddSingleton<OomWatcher>();
        services.AddSingleton(sp => new ContainerSampler(
            sp.GetRequiredService<ProcFs>(),
            sp.GetRequiredService<OomWatcher>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>()));
        return services;
    }
}
