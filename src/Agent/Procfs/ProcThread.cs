namespace Agent.Procfs;

/// <summary>
/// One thread of a process, from <c>/proc/&lt;pid&gt;/task/&lt;tid&gt;/stat</c>. That file has the
/// same layout as the process's <c>stat</c> (proc(5)), with the thread's own state and CPU times.
/// The name is the stat line's (2) field: the same <c>task->comm</c> the <c>comm</c> file prints
/// (at most 15 bytes), so one read per thread is enough.
/// </summary>
internal readonly record struct ProcThread(int Tid, string Name, char State, ulong UserTicks, ulong SystemTicks)
{
    public ulong TotalTicks => UserTicks + SystemTicks;
}
