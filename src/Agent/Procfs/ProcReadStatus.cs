namespace Agent.Procfs;

/// <summary>Outcome of reading one file under /proc.</summary>
internal enum ProcReadStatus
{
    Ok,
    /// <summary>The process (or file) no longer exists.</summary>
    Gone,
    /// <summary>The kernel refused: another user's io/fd without CAP_SYS_PTRACE.</summary>
    Denied,
}
