using Agent.Sampling;

namespace Agent.Diagnostics;

/// <summary>A target as a capture sees it: its name, the process (pid + start time), its command name, and how many processes its tree counts (1 unless <c>IncludeChildren</c>).</summary>
internal sealed record DiagnosticTarget(string Name, ProcessIdentity Identity, string ProcessName, int Processes = 1);
