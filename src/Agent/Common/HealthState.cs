using System.Text.Json.Serialization;

namespace Agent.Common;

/// <summary>
/// The status word of <c>/health</c>, <c>/ready</c> and each readiness entry. Written as
/// AspNetCore.HealthChecks.UI writes its statuses (<c>Healthy</c>, <c>Degraded</c>, <c>Unhealthy</c>),
/// plus <c>starting</c> before the first answers are in.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<HealthState>))]
internal enum HealthState
{
    [JsonStringEnumMemberName("starting")]
    Starting,

    Healthy,

    Degraded,

    Unhealthy,
}
