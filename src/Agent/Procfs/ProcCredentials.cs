namespace Agent.Procfs;

/// <summary>
/// Who a process is, from <c>/proc/&lt;pid&gt;/status</c> (parsed by <see cref="ProcStatus"/>, once): its
/// user ids and its effective capability set. Readable for every process (unlike <c>io</c> or <c>fd/</c>), which is what lets the agent say
/// why it cannot read the others. Missing lines stay null.
/// </summary>
internal readonly record struct ProcCredentials(
    int? RealUid,                 // Uid, first of four (real, effective, saved, filesystem)
    int? EffectiveUid,            // Uid, second
    ulong? EffectiveCapabilities) // CapEff, a hexadecimal bit mask (bit numbers of capabilities(7))
{
    /// <summary>capabilities(7): CAP_SYS_PTRACE is bit 19.</summary>
    public const int CapSysPtrace = 19;

    /// <summary>capabilities(7): CAP_DAC_OVERRIDE is bit 1 (bypasses file permission checks).</summary>
    public const int CapDacOverride = 1;

    /// <summary>Null when the mask is unknown.</summary>
    public bool? Has(int capability) => EffectiveCapabilities is { } mask ? (mask & (1UL << capability)) != 0 : null;
}
