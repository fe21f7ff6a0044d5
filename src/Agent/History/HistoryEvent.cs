namespace Agent.History;

/// <summary>What happened, in the order the page's timeline names it.</summary>
internal enum HistoryEventKind
{
    TargetFound,
    TargetLost,
    TargetRestarted,
    OomKilled,
    ProbeFailed,
    ProbeRecovered,
    ProbeChanged,
}

/// <summary>One entry of the event timeline. <paramref name="Detail"/> holds no secret (probe descriptions are scrubbed at the source).</summary>
internal sealed record HistoryEvent(DateTimeOffset At, HistoryEventKind Kind, string Subject, string Detail)
{
    public string KindLabel => Kind switch
    {
        HistoryEventKind.TargetFound => "found",
        HistoryEventKind.TargetLost => "lost",
        HistoryEventKind.TargetRestarted => "restarted",
        HistoryEventKind.OomKilled => "oom-killed",
        HistoryEventKind.ProbeFailed => "failed",
        HistoryEventKind.ProbeRecovered => "recovered",
        _ => "changed",
    };

    /// <summary>True for events that mean something went wrong (the page colours them).</summary>
    public bool IsBad => Kind is HistoryEventKind.TargetLost or HistoryEventKind.TargetRestarted or HistoryEventKind.OomKilled or HistoryEventKind.ProbeFailed or HistoryEventKind.ProbeChanged;
}
