using Agent.Configuration;
using Agent.Logging;

namespace Agent.Probes;

/// <summary>Registers the configured probes, one runner each, their scheduler and result store.</summary>
internal static class ProbeServices
{
    public static IServiceCollection AddProbes(this IServiceCollection services, IReadOnlyList<ProbeDefinition> probes)
    {
        services.AddSingleton(probes);
        services.AddSingleton<ProbeResultStore>();
        services.AddSingleton<AbandonedChecks>();
        services.AddSingleton(new ProbeFailures(probes));
        services.AddSingleton<IReadOnlyList<IProbe>>(_ => probes.Select(ProbeFactory.Create).ToList());
        services.AddSingleton<IReadOnlyList<ProbeRunner>>(sp =>
        {
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Agent.Probes");
            return sp.GetRequiredService<IReadOnlyList<IProbe>>()
                .Select(p => new ProbeRunner(p, sp.GetRequiredService<ProbeResultStore>(), sp.GetRequiredService<ProbeFailures>(), sp.GetRequiredService<AbandonedChecks>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<RepeatGate>(), logger))
                .ToList();
        });
        services.AddHostedService<ProbeScheduler>();
        return services;
    }
}
