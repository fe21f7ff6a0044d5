using Agent.Sampling;

namespace Agent.Diagnostics;

/// <summary>A target as a capture sees it: its name, the process (pid + start time) and its command name.</summary>
internal sealed record DiagnosticTarget(string Name, ProcessIdentity Identity, string ProcessName);
