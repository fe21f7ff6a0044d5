using Agent.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Agent.Probes;

/// <summary>
/// Runs a design-card health check (AspNetCore.HealthChecks.*) as a probe: builds the context it
/// expects and turns its result into a classified, scrubbed <see cref="ProbeOutcome"/>.
/// </summary>
internal static class HealthCheckAdapter
{
    public static HealthCheckContext Context(ProbeDefinition probe, IHealthCheck check) => new()
    {
        Registration = new HealthCheckRegistration(probe.Name, check, HealthStatus.Unhealthy, null, probe.Timeout),
    };

    public static ProbeOutcome ToOutcome(HealthCheckResult result, string healthyDescription, IReadOnlyCollection<string> secrets)
    {
        if (result.Status == HealthStatus.Healthy)
        {
            return ProbeOutcome.Ok(healthyDescription);
        }

        return result.Exception is { } e
            ? FailureClassifier.Classify(e, secrets)
            : ProbeOutcome.Failed(FailureReason.Error, FailureClassifier.Scrub(result.Description ?? "unhealthy", secrets));
    }
}
