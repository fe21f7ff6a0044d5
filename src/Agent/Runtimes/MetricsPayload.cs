using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Agent.Runtimes;

/// <summary>
/// MetricsEventSource's event ids (System.Diagnostics.DiagnosticSource). Each payload is the event
/// method's arguments in order: strings NUL-terminated UTF-16, <c>int</c> 4 bytes, <c>long</c>,
/// <c>double</c> and <c>DateTime</c> (a FILETIME) 8 bytes, little-endian. Later runtimes append
/// fields, never reorder them.
/// </summary>
internal static class MetricsEvents
{
    /// <summary>sessionId, intervalStartTime, intervalEndTime.</summary>
    public const int CollectionStart = 2;

    /// <summary>sessionId, intervalStartTime, intervalEndTime.</summary>
    public const int CollectionStop = 3;

    /// <summary>sessionId, meterName, meterVersion, instrumentName, unit, tags, rate, value (.NET 8+), instrumentId (.NET 9+).</summary>
    public const int CounterRateValuePublished = 4;

    /// <summary>sessionId, meterName, meterVersion, instrumentName, unit, tags, lastValue, instrumentId (.NET 9+).</summary>
    public const int GaugeValuePublished = 5;

    /// <summary>sessionId, meterName, meterVersion, instrumentName, unit, tags, quantiles, count (int), sum (double) (both .NET 8+), instrumentId (.NET 9+).</summary>
    public const int HistogramValuePublished = 6;

    /// <summary>sessionId, meterName, meterVersion, instrumentName, instrumentType, ….</summary>
    public const int BeginInstrumentReporting = 7;

    /// <summary>sessionId.</summary>
    public const int TimeSeriesLimitReached = 12;

    /// <summary>sessionId.</summary>
    public const int HistogramLimitReached = 13;

    /// <summary>runningSessionId.</summary>
    public const int MultipleSessionsNotSupportedError = 15;

    /// <summary>As <see cref="CounterRateValuePublished"/>.</summary>
    public const int UpDownCounterRateValuePublished = 16;

    /// <summary>clientId, then the expected and actual MaxHistograms, MaxTimeSeries and RefreshInterval.</summary>
    public const int MultipleSessionsConfiguredIncorrectlyError = 17;
}

/// <summary>
/// Reads a MetricsEventSource payload field by field, in order (see <see cref="MetricsEvents"/>);
/// every read is false once the payload is too short for it, so a malformed or older event is refused,
/// never read past its end.
/// </summary>
internal ref struct MetricsPayload(ReadOnlySpan<byte> payload)
{
    private ReadOnlySpan<byte> _rest = payload;

    /// <summary>The next NUL-terminated UTF-16 string.</summary>
    public bool Next(out ReadOnlySpan<char> value)
    {
        var chars = MemoryMarshal.Cast<byte, char>(_rest[..(_rest.Length & ~1)]);
        var end = chars.IndexOf('\0');
        if (end < 0)
        {
            value = default;
            return false;
        }

        value = chars[..end];
        _rest = _rest[((end + 1) * sizeof(char))..];
        return true;
    }

    public bool NextInt32(out int value)
    {
        if (!BinaryPrimitives.TryReadInt32LittleEndian(_rest, out value))
        {
            return false;
        }

        _rest = _rest[sizeof(int)..];
        return true;
    }

    public bool NextInt64(out long value)
    {
        if (!BinaryPrimitives.TryReadInt64LittleEndian(_rest, out value))
        {
            return false;
        }

        _rest = _rest[sizeof(long)..];
        return true;
    }

    public bool NextDouble(out double value)
    {
        if (!BinaryPrimitives.TryReadDoubleLittleEndian(_rest, out value))
        {
            return false;
        }

        _rest = _rest[sizeof(double)..];
        return true;
    }
}
