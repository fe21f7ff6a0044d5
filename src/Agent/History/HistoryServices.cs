using Agent.Configuration;
using Agent.Probes;
using Agent.Runtimes;
using Agent.Sampling;

namespace Agent.History;

/// <summary>Registers the 15-minute history, recorded on the sampling tick.</summary>
internal static class HistoryServices
{
    public static IServiceCollection AddHistory(this IServiceCollection services, SamplingOptions sampling, IReadOnlyList<ProbeDefinition> probes)
    {
        services.AddSingleton(new HistoryStore(sampling.Interval, probes));
        services.AddSingleton<HistoryRecorder>();
        services.AddSingleton<ISamplingObserver, HistoryTick>();
        return services;
    }

    /// <summary>Each published snapshot into the history, with the primary target's runtime counters and the probes' latest results.</summary>
    private sealed class HistoryTick(HistoryRecorder recorder, RuntimeStore runtime, ProbeResultStore probes) : ISamplingObserver
    {
        public void OnTick(SamplingSnapshot snapshot) => recorder.Record(snapshot, runtime.DotnetOf(snapshot.Primary?.Name), probes.Current);
    }
}
