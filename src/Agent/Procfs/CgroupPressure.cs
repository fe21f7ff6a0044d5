namespace Agent.Procfs;

/// <summary>
/// A pressure stall file of a v2 cgroup (<c>cpu.pressure</c>, <c>memory.pressure</c>,
/// <c>io.pressure</c>; Documentation/accounting/psi.rst): <c>some avg10=… avg60=… avg300=… total=N</c>
/// and <c>full …</c>, totals in microseconds since the cgroup was created. Only the totals are
/// kept: Prometheus rates them over any window, the kernel's averages are fixed windows of a
/// decaying mean. <c>cpu.pressure</c>'s <c>full</c> line exists for cgroups since Linux 5.13.
/// </summary>
/// <param name="SomeMicros">Time at least one task was stalled on the resource (cAdvisor's <c>…_waiting_seconds_total</c>).</param>
/// <param name="FullMicros">Time every non-idle task was stalled at once (cAdvisor's <c>…_stalled_seconds_total</c>).</param>
internal readonly record struct CgroupPressure(long? SomeMicros, long? FullMicros)
{
    public static CgroupPressure Parse(ReadOnlySpan<byte> text)
    {
        long? some = null, full = null;
        while (!text.IsEmpty)
        {
            var line = AsciiParsing.NextLine(ref text);
            var rest = line;
            var kind = AsciiParsing.NextToken(ref rest);
            var isSome = kind.SequenceEqual("some"u8);
            if (!isSome && !kind.SequenceEqual("full"u8))
            {
                continue;
            }

            long? total = null;
            while (!rest.IsEmpty)
            {
                var field = AsciiParsing.NextToken(ref rest);
                if (field.StartsWith("total="u8))
                {
                    total = CgroupFiles.ParseValue(field["total="u8.Length..]);
                }
            }

            if (isSome)
            {
                some = total;
            }
            else
            {
                full = total;
            }
        }

        return new CgroupPressure(some, full);
    }
}
