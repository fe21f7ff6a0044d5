namespace Agent.Check;

/// <summary>The outcome of one part of <c>agent check</c>.</summary>
internal enum CheckStatus
{
    /// <summary>Works.</summary>
    Ok,

    /// <summary>Does not work, but a normal start would not be refused for it (a non-critical probe).</summary>
    Warning,

    /// <summary>Does not work: exit code 1.</summary>
    Failed,

    /// <summary>Did not finish within the check's deadline: exit code 1.</summary>
    Unfinished,
}
