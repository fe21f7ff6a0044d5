using Agent.Procfs;

namespace Agent.Containers;

/// <summary>Registers the container view: the per-target cgroup sampler the sampling loop calls, and the OOM watcher.</summary>
internal static class ContainerServices
{
    /// <param name="readEvery">How often each target's cgroup files are read (<c>Sampling:CgroupInterval</c>).</param>
    public static IServiceCollection AddContainers(this IServiceCollection services, TimeSpan readEvery)
    {
        services.AddSingleton<OomWatcher>();
        services.AddSingleton(sp => new ContainerSampler(
            sp.GetRequiredService<ProcFs>(),
            sp.GetRequiredService<OomWatcher>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>(),
            readEvery: readEvery));
        return services;
    }
}
