using System.Globalization;

namespace Agent.Configuration;

/// <summary>
/// Numbers with an optional binary size suffix (<c>512KiB</c>, <c>20MiB</c>, <c>1.5GiB</c>, <c>1TiB</c>):
/// thresholds in configuration read the way operators think of memory.
/// </summary>
internal static class ByteSize
{
    private static readonly (string Suffix, double Factor)[] Units =
    [
        ("KiB", 1024d), ("MiB", 1024d * 1024), ("GiB", 1024d * 1024 * 1024), ("TiB", 1024d * 1024 * 1024 * 1024),
    ];

    /// <summary>Parses <paramref name="text"/>; <paramref name="hadUnit"/> says whether it carried a size suffix.</summary>
    public static bool TryParse(string? text, out double value, out bool hadUnit)
    {
        value = 0;
        hadUnit = false;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        var factor = 1d;
        foreach (var (suffix, f) in Units)
        {
            if (s.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                s = s[..^suffix.Length].TrimEnd();
                factor = f;
                hadUnit = true;
                break;
            }
        }

        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
        {
            return false;
        }

        value = number * factor;
        return double.IsFinite(value);
    }

    /// <summary>A byte count for humans, in the largest unit that keeps it at or above 1.</summary>
    public static string Format(double bytes)
    {
        for (var i = Units.Length - 1; i >= 0; i--)
        {
            if (Math.Abs(bytes) >= Units[i].Factor)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{bytes / Units[i].Factor:0.##} {Units[i].Suffix}");
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"{bytes:0.##} B");
    }
}
