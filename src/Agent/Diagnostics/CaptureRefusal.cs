namespace Agent.Diagnostics;

/// <summary>Why a capture was not started. <see cref="CaptureRefusalReason"/> maps to the HTTP status.</summary>
internal sealed record CaptureRefusal(CaptureRefusalReason Reason, string Message);

/// <summary>The kinds of refusal a caller (HTTP or a trigger) has to tell apart.</summary>
internal enum CaptureRefusalReason
{
    /// <summary>No such target, or it is not present right now (404).</summary>
    UnknownTarget,
    /// <summary>The target's runtime cannot give this kind of evidence (409): a dump of a Python process.</summary>
    Unsupported,
    /// <summary>Bad parameters (400).</summary>
    BadRequest,
    /// <summary>A capture of this target is already running (429).</summary>
    Busy,
    /// <summary>Diagnostics:MaxBytes would be exceeded even after deleting every finished artifact (429).</summary>
    OverBudget,
    /// <summary>Free space would drop below Diagnostics:MinFreeBytes (429).</summary>
    LowDiskSpace,
    /// <summary>Diagnostics:Directory cannot be created or written by the agent (503): the refusal names it and the error.</summary>
    DirectoryUnusable,
}
