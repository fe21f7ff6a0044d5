using Agent.Configuration;

namespace Agent.History;

/// <summary>Registers the 15-minute history, recorded on the sampling tick.</summary>
internal static class HistoryServices
{
    public static IServiceCollection AddHistory(this IServiceCollection services, SamplingOptions sampling, IReadOnlyList<ProbeDefinition> probes)
    {
        services.AddSingleton(new HistoryStore(sampling.Interval, probes));
        services.AddSingleton<HistoryRecorder>();
        return services;
    }
}
