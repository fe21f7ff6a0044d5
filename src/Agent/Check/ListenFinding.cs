namespace Agent.Check;

/// <summary>One address the agent would listen on, and whether it is free.</summary>
internal sealed record ListenFinding(CheckStatus Status, string Url, string Detail);
