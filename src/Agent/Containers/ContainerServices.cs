using Agent.Procfs;

namespace Agent.Containers;

/// <summary>Registers the container view: the per-target cgroup sampler the sampling loop calls, and the OOM watcher.</summary>
internal static class ContainerServices
{
    /// <param name="readEvery">How often each target's cgroup files are read (<c>Sampling:CgroupInterval</c>).</param>
    /// <param name="watchOomKills">
    /// False when the agent watches only itself: an OOM kill in its own cgroup would end the agent
    /// before it could say so, so the watcher's thread (one more idle thread in every pod) is not
    /// started; the tick still reads <c>oom_kill</c> from the cgroup's events.
    /// </param>
    public static IServiceCollection AddContainers(this IServiceCollection services, TimeSpan readEvery, bool watchOomKills = true)
    {
        services.AddSingleton<OomWatcher>();
        services.AddSingleton(sp => new ContainerSampler(
            sp.GetRequiredService<ProcFs>(),
            watchOomKills ? sp.GetRequiredService<OomWatcher>() : null,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>(),
            readEvery: readEvery));
        return services;
    }
}
