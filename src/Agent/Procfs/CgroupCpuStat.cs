namespace Agent.Procfs;

/// <summary>
/// <c>cpu.stat</c>, flat-keyed. v2: <c>usage_usec</c> (always, even without the cpu controller),
/// and with the cpu controller <c>nr_periods</c>, <c>nr_throttled</c>, <c>throttled_usec</c>.
/// v1 (the <c>cpu</c> hierarchy): <c>nr_periods</c>, <c>nr_throttled</c>, <c>throttled_time</c> in
/// nanoseconds, and no usage (that is <c>cpuacct.usage</c>). Times are kept in microseconds.
/// </summary>
/// <param name="UsageMicros">CPU time of every task in the cgroup (v2 only).</param>
/// <param name="Periods">Enforcement periods that had runnable tasks (cAdvisor's <c>container_cpu_cfs_periods_total</c>).</param>
/// <param name="ThrottledPeriods">Of those, periods whose quota ran out (<c>container_cpu_cfs_throttled_periods_total</c>).</param>
/// <param name="ThrottledMicros">Total time tasks were held back (<c>container_cpu_cfs_throttled_seconds_total</c>).</param>
internal readonly record struct CgroupCpuStat(long? UsageMicros, long? Periods, long? ThrottledPeriods, long? ThrottledMicros)
{
    public static CgroupCpuStat Parse(ReadOnlySpan<byte> text)
    {
        long? usage = null, periods = null, throttled = null, throttledMicros = null;
        while (CgroupFiles.NextEntry(ref text, out var key, out var rest))
        {
            if (key.SequenceEqual("usage_usec"u8))
            {
                usage = CgroupFiles.ParseValue(rest);
            }
            else if (key.SequenceEqual("nr_periods"u8))
            {
                periods = CgroupFiles.ParseValue(rest);
            }
            else if (key.SequenceEqual("nr_throttled"u8))
            {
                throttled = CgroupFiles.ParseValue(rest);
            }
            else if (key.SequenceEqual("throttled_usec"u8))
            {
                throttledMicros = CgroupFiles.ParseValue(rest);
            }
            else if (key.SequenceEqual("throttled_time"u8))
            {
                throttledMicros = CgroupFiles.ParseValue(rest) / 1000; // v1: nanoseconds
            }
        }

        return new CgroupCpuStat(usage, periods, throttled, throttledMicros);
    }
}
