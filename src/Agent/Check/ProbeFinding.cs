namespace Agent.Check;

/// <summary>One run of one probe: its classified result and duration.</summary>
internal sealed record ProbeFinding(CheckStatus Status, string Name, string Kind, bool Critical, string? Reason, string Description, double DurationSeconds);
