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
/// session: two agents at the same <c>Sampling:Interval</c> share it, and so does dotnet-monitor with
/// <c>GlobalCounter:IntervalSeconds</c> equal to that interval and the same limits
/// (<c>GlobalCounter:MaxHistograms</c>, <c>MaxTimeSeries</c>). <c>dotnet-counters collect</c>/<c>monitor</c> (10.0) ask for a session of
/// their own (seen here: a GUID session id), which the runtime cannot share: whichever comes second
/// is refused until the first one leaves. With <c>Traffic:Enabled</c> the same session also carries the
/// traffic instruments (<see cref="TrafficInstruments"/>): one session per target, not one per meter. The
/// limits are <c>Runtime:Dotnet:MaxTimeSeries</c> and <c>MaxHistograms</c> (1000 and 200 by default: 20,
/// dotnet-monitor's, is ~6 routes × 3 status codes); a sharer must ask for the same.
/// </summary>
internal static class MetricsSession
{
    public const string Provider = "System.Diagnostics.Metrics";

    /// <summary>The session id every sharer asks for; values of a shared session carry it.</summary>
    public const string SharedId = "SHARED";

    /// <summary>The session's <c>Metrics</c> argument: the System.Runtime meter, and the traffic instruments when asked for.</summary>
    public static string Metrics(bool traffic) => traffic ? "System.Runtime;" + TrafficInstruments.Spec : "System.Runtime";

    /// <summary>The provider for the System.Runtime meter (and the traffic instruments) at <paramref name="interval"/>, as client <paramref name="clientId"/>.</summary>
    public static EventPipeProvider For(TimeSpan interval, string clientId, Configuration.DotnetRuntimeOptions limits, bool traffic) => new(
        Provider,
        EventLevel.Informational,
        0xF, // messages, time-series values, instrument publishing, and the errors that say a session was refused
        new Dictionary<string, string>
        {
            ["SessionId"] = SharedId,
            ["ClientId"] = clientId,
            ["Metrics"] = Metrics(traffic),
            ["RefreshInterval"] = interval.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            ["MaxTimeSeries"] = limits.MaxTimeSeries.ToString(CultureInfo.InvariantCulture),
            ["MaxHistograms"] = limits.MaxHistograms.ToString(CultureInfo.InvariantCulture),
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
    public static string RefusedFix(TimeSpan interval, Configuration.DotnetRuntimeOptions limits) => string.Create(
        CultureInfo.InvariantCulture,
        $"stop the other tool (dotnet-counters asks for a session of its own, which the runtime cannot share), or give it the agent's settings where it can share: dotnet-monitor with GlobalCounter:IntervalSeconds={interval.TotalSeconds}, GlobalCounter:MaxTimeSeries={limits.MaxTimeSeries} and GlobalCounter:MaxHistograms={limits.MaxHistograms}, another agent with the same Sampling:Interval and Runtime:Dotnet limits; the agent retries with backoff (up to every {RefusedBackoffCeiling.TotalSeconds:F0} s) until counters flow");
}
