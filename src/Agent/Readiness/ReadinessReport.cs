namespace Agent.Readiness;

/// <summary>The status code and body /ready answers with.</summary>
internal sealed record ReadinessReport(int StatusCode, ReadyResponse Body);
