namespace Agent.Procfs;

/// <summary>
/// The CFS bandwidth limit: v2 <c>cpu.max</c> (<c>$MAX $PERIOD</c>, <c>max</c> when unlimited) or
/// v1 <c>cpu.cfs_quota_us</c> (<c>-1</c> when unlimited) with <c>cpu.cfs_period_us</c>, both in
/// microseconds. A Kubernetes CPU limit of 500m is a quota of 50000 per 100000.
/// </summary>
internal readonly record struct CgroupCpuMax(long? QuotaMicros, long? PeriodMicros, bool Unlimited)
{
    /// <summary>The limit in cores (quota ÷ period); null when unlimited or unknown.</summary>
    public double? Cores => !Unlimited && QuotaMicros is { } q && PeriodMicros is { } p && p > 0 ? (double)q / p : null;

    /// <summary>v2 <c>cpu.max</c>.</summary>
    public static CgroupCpuMax Parse(ReadOnlySpan<byte> text)
    {
        var rest = text;
        var quota = AsciiParsing.NextToken(ref rest).TrimEnd((byte)'\n');
        var period = CgroupFiles.ParseValue(rest);
        if (quota.SequenceEqual("max"u8))
        {
            return new CgroupCpuMax(null, period, Unlimited: period is not null);
        }

        var q = CgroupFiles.ParseValue(quota);
        return q is null || period is null ? default : new CgroupCpuMax(q, period, false);
    }

    /// <summary>v1 <c>cpu.cfs_quota_us</c> and <c>cpu.cfs_period_us</c>.</summary>
    public static CgroupCpuMax ParseV1(ReadOnlySpan<byte> quotaText, ReadOnlySpan<byte> periodText)
    {
        var period = CgroupFiles.ParseValue(periodText);
        var rest = quotaText;
        var quota = AsciiParsing.NextToken(ref rest).TrimEnd((byte)'\n');
        if (quota.SequenceEqual("-1"u8))
        {
            return new CgroupCpuMax(null, period, Unlimited: period is not null);
        }

        var q = CgroupFiles.ParseValue(quota);
        return q is null || period is null ? default : new CgroupCpuMax(q, period, false);
    }
}
