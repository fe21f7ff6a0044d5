namespace Agent.Check;

/// <summary>A process a selector looked at, and why it was taken or left out.</summary>
internal sealed record CheckCandidate(int Pid, string Name, bool Taken, string Reason);
