using System.Buffers.Text;

namespace Agent.Traffic;

/// <summary>The metric types of the StatsD line protocol.</summary>
internal enum StatsdType
{
    Counter,
    Gauge,
    Timer,
    Histogram,
    Set,
    Distribution,
}

/// <summary>
/// One line of the StatsD protocol, <c>name:value|type[|@rate][|#tags]</c> (Etsy's, with DogStatsD's
/// tags, which are read past and dropped), parsed without allocating. The name is kept as bytes: a
/// known name is compared, an unknown one is never turned into a string.
/// </summary>
internal readonly ref struct StatsdLine
{
    private StatsdLine(ReadOnlySpan<byte> name, double value, bool signed, StatsdType type, double rate)
    {
        Name = name;
        Value = value;
        Signed = signed;
        Type = type;
        Rate = rate;
    }

    public ReadOnlySpan<byte> Name { get; }

    public double Value { get; }

    /// <summary>The value was written with a sign: for a gauge, <c>+n</c>/<c>-n</c> change it instead of setting it.</summary>
    public bool Signed { get; }

    public StatsdType Type { get; }

    /// <summary>The sample rate (0–1]: a counter's value stands for value ÷ rate events.</summary>
    public double Rate { get; }

    /// <summary>Parses one line (no newline); false for anything that is not a well-formed StatsD line.</summary>
    public static bool TryParse(ReadOnlySpan<byte> line, out StatsdLine parsed)
    {
        parsed = default;
        var colon = line.IndexOf((byte)':');
        if (colon <= 0 || colon > 250)
        {
            return false;
        }

        var name = line[..colon];
        foreach (var b in name)
        {
            if (b is <= 0x20 or >= 0x7f or (byte)'|' or (byte)'@' or (byte)'#')
            {
                return false; // control, space, non-ASCII or a separator: not a metric name
            }
        }

        var rest = line[(colon + 1)..];
        var bar = rest.IndexOf((byte)'|');
        if (bar <= 0)
        {
            return false;
        }

        var text = rest[..bar];
        if (!Utf8Parser.TryParse(text, out double value, out var used) || used != text.Length || !double.IsFinite(value))
        {
            return false;
        }

        rest = rest[(bar + 1)..];
        bar = rest.IndexOf((byte)'|');
        var typeText = bar < 0 ? rest : rest[..bar];
        StatsdType type;
        if (typeText.SequenceEqual("c"u8))
        {
            type = StatsdType.Counter;
        }
        else if (typeText.SequenceEqual("g"u8))
        {
            type = StatsdType.Gauge;
        }
        else if (typeText.SequenceEqual("ms"u8))
        {
            type = StatsdType.Timer;
        }
        else if (typeText.SequenceEqual("h"u8))
        {
            type = StatsdType.Histogram;
        }
        else if (typeText.SequenceEqual("s"u8))
        {
            type = StatsdType.Set;
        }
        else if (typeText.SequenceEqual("d"u8))
        {
            type = StatsdType.Distribution;
        }
        else
        {
            return false;
        }

        var rate = 1.0;
        while (bar >= 0)
        {
            rest = rest[(bar + 1)..];
            bar = rest.IndexOf((byte)'|');
            var field = bar < 0 ? rest : rest[..bar];
            if (field.Length > 1 && field[0] == (byte)'@')
            {
                if (!Utf8Parser.TryParse(field[1..], out rate, out used) || used != field.Length - 1 || !(rate > 0) || rate > 1)
                {
                    return false;
                }
            }
            else if (field.Length == 0 || field[0] != (byte)'#')
            {
                return false; // only a sample rate and tags may follow the type
            }
        }

        parsed = new StatsdLine(name, value, text[0] is (byte)'+' or (byte)'-', type, rate);
        return true;
    }
}
