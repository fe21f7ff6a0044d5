namespace Agent.Runtimes;

/// <summary>Why a target's .NET session delivers no counters, with the change that fixes it (null when nothing on the agent's side would).</summary>
internal sealed record DotnetSessionProblem(string Detail, string? Fix, DateTimeOffset Since);
