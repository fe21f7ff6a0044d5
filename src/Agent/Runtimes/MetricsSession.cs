using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;

namespace Agent.Runtimes;

/// <summary>
/// The agent's request to a .NET runtime's <c>System.Diagnostics.Metrics</c> source, and the rule
/// for when its values count as flowing. The runtime serves one metrics session at a time; since
/// .NET 8 a session asked for as <c>SessionId=SHARED</c> is shared by every client that asks the same
/// way with the same refresh interval, <c>MaxTimeSeries</c> and <c>MaxHistograms</c>, and refused to
/// one that asks otherwise (an error event, the only sign of it). The agent asks for the shared
/// session with dotnet-monitor's default limits (1000 series, 20 histograms): two agents at the same
/// <c>Sampling:Interval</c> share it, and so does dotnet-monitor with <c>GlobalCounter:IntervalSeconds</c>
/// equal to that interval. <c>dotnet-counters collect</c>/<c>monitor</c> (10.0) ask for a session of
/// their own (seen here: a GUID session id), which the runtime cannot share: whichever comes second
/// is refused until the first one leaves.
/// </summary>
internal static class MetricsSession
{
    public const string Provider = "System.Diagnostics.Metrics";

    /// <summary>The session id every sharer asks for; values of a shared session carry it.</summary>
    public const string SharedId = "SHARED";

    public const int MaxTimeSeries = 1000;

    public const int MaxHistograms = 20;

    /// <summary>The provider for the System.Runtime meter at <paramref name="interval"/>, as client <paramref name="clientId"/>.</summary>
    public static EventPipeProvider For(TimeSpan interval, string clientId) => new(
        Provider,
        EventLevel.Informational,
        0xF, // messages, time-series values, instrument publishing, and the errors that say a session was refused
        new Dictionary<string, string>
        {
            ["SessionId"] = SharedId,
            ["ClientId"] = clientId,
            ["Metrics"] = "System.Runtime",
            ["RefreshInterval"] = interval.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            ["MaxTimeSeries"] = MaxTimeSeries.ToString(CultureInfo.InvariantCulture),
            ["MaxHistograms"] = MaxHistograms.ToString(CultureInfo.InvariantCulture),
        });

    /// <summary>
    /// How old the last value may be for the counters to count as flowing: three refresh intervals
    /// (the runtime publishes every interval), and never less than 3 s (a busy target's publication
    /// slips by a second on two loaded cores).
    /// </summary>
    public static TimeSpan StaleAfter(TimeSpan interval) => interval * 3 > TimeSpan.FromSeconds(3) ? interval * 3 : TimeSpan.FromSeconds(3);

    /// <summary>True while the last value of <paramref name="snapshot"/> is recent.</summary>
    public static bool Flowing(DotnetRuntimeSnapshot? snapshot, TimeSpan interval, DateTimeOffset now) =>
        snapshot is not null && now - snapshot.ReceivedAt <= StaleAfter(interval);

    /// <summary>Retries of a refused session slow down to this pace at most.</summary>
    public static readonly TimeSpan RefusedBackoffCeiling = TimeSpan.FromSeconds(30);

    /// <summary>The fix for a refused session, for the log, /diag/capabilities and <c>agent check</c> alike.</summary>
    public static string RefusedFix(TimeSpan interval) => string.Create(
        CultureInfo.InvariantCulture,
        $"stop the other tool (dotnet-counters asks for a session of its own, which the runtime cannot share), or give it the agent's settings where it can share: dotnet-monitor with GlobalCounter:IntervalSeconds={interval.TotalSeconds} and its default limits (MaxTimeSeries {MaxTimeSeries}, MaxHistograms {MaxHistograms}), another agent with the same Sampling:Interval; the agent retries with backoff (up to every {RefusedBackoffCeiling.TotalSeconds:F0} s) until counters flow");
}
