namespace Agent.Traffic;

/// <summary>What the StatsD listener did with what it received (<c>agent_statsd_received_total{result}</c>).</summary>
internal enum StatsdResult
{
    /// <summary>A gunicorn line, attributed to a target and counted.</summary>
    Accepted,

    /// <summary>A well-formed StatsD line the agent does not map (another client's name, a type gunicorn does not send).</summary>
    Unknown,

    /// <summary>Not a StatsD line.</summary>
    Garbage,

    /// <summary>A datagram longer than <see cref="StatsdListener.MaxDatagram"/> bytes, dropped whole.</summary>
    Oversized,

    /// <summary>A gunicorn line from a sender no target could be found for.</summary>
    Unattributed,
}

/// <summary>Totals per <see cref="StatsdResult"/>: lines, or datagrams for <see cref="StatsdResult.Oversized"/>. Written by the receiving thread, read by scrapes.</summary>
internal sealed class StatsdCounters
{
    private readonly long[] _counts = new long[Enum.GetValues<StatsdResult>().Length];

    public void Add(StatsdResult result, long n = 1) => Interlocked.Add(ref _counts[(int)result], n);

    public long this[StatsdResult result] => Volatile.Read(ref _counts[(int)result]);
}
