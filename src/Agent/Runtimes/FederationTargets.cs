using Agent.Configuration;
using Agent.Sampling;

namespace Agent.Runtimes;

/// <summary>Which target a federation endpoint's series belong to, in a given snapshot.</summary>
internal static class FederationTargets
{
    /// <summary>
    /// A named target's endpoint: that target. <c>Runtime:MetricsUrl</c>: the primary target of
    /// <paramref name="snapshot"/> (it can change under Auto), <c>app</c> while there is none.
    /// </summary>
    public static string TargetOf(this FederationEndpoint endpoint, SamplingSnapshot snapshot) =>
        endpoint.Key == FederationEndpoint.PrimaryKey ? snapshot.Primary?.Name ?? TargetNames.Default : endpoint.Key;
}
