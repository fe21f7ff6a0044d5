namespace Agent.Status;

/// <summary>One timeline entry: <c>Kind</c> is found, lost, restarted, failed, recovered or changed.</summary>
internal sealed record EventEntry(DateTimeOffset At, string Kind, string Subject, string Detail, bool Bad);
