namespace Agent.Configuration;

/// <summary>What a trigger captures when it fires (the evidence kinds of the diagnostics feature).</summary>
internal enum TriggerAction
{
    /// <summary>Process snapshot: memory, threads, fds, limits, cgroup; any runtime.</summary>
    Snapshot,

    /// <summary>Every thread's stack: Python through the faulthandler opt-in, .NET over EventPipe.</summary>
    Stacks,

    /// <summary>A .NET core dump over the diagnostic channel.</summary>
    Dump,

    /// <summary>A .NET EventPipe trace.</summary>
    Trace,

    /// <summary>What grows over <c>Diagnostics:HeapWindow</c>: Python allocation sites (hook), .NET types and their holders.</summary>
    Heap,

    /// <summary>A .NET CPU profile: the windows kept before the firing and one recorded during it (pprof).</summary>
    Profile,
}
