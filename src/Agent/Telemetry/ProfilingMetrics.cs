using System.Diagnostics.Metrics;
using Agent.Profiling;

namespace Agent.Telemetry;

/// <summary>
/// <c>agent_profile_pushes_total{result}</c>: what became of each kept profile window offered to
/// <c>Profiling:PushUrl</c> — pushed, failed (refused or unreachable) or dropped (the queue full
/// while the server is slow or away). No series without a push URL.
/// </summary>
internal sealed class ProfilingMetrics : IDisposable
{
    public const string MeterName = "Agent.Profiling";

    private readonly Meter _meter;

    public ProfilingMetrics(IMeterFactory meterFactory, ProfilePusher? pusher = null)
    {
        _meter = meterFactory.Create(MeterName, typeof(ProfilingMetrics).Assembly.GetName().Version?.ToString(3));
        if (pusher is not null)
        {
            _meter.CreateObservableCounter("agent.profile.pushes", () => Pushes(pusher), null, "Kept profile windows offered to Profiling:PushUrl, by result: pushed, failed (refused or unreachable), dropped (the queue of 8 full)");
        }
    }

    public void Dispose() => _meter.Dispose();

    private static Measurement<long>[] Pushes(ProfilePusher pusher) =>
    [
        new(pusher.Pushed, new KeyValuePair<string, object?>("result", "pushed")),
        new(pusher.Failed, new KeyValuePair<string, object?>("result", "failed")),
        new(pusher.Dropped, new KeyValuePair<string, object?>("result", "dropped")),
    ];
}
