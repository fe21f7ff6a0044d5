using System.Globalization;

namespace Agent.Status;

/// <summary>Numbers and durations as a person reads them on the page and in the terminal summary.</summary>
internal static class Format
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static string Bytes(double b) => b switch
    {
        >= 1L << 30 => (b / (1L << 30)).ToString("0.00", C) + " GiB",
        >= 1L << 20 => (b / (1L << 20)).ToString("0.0", C) + " MiB",
        >= 1L << 10 => (b / (1L << 10)).ToString("0.0", C) + " KiB",
        _ => b.ToString("0", C) + " B",
    };

    /// <summary>A share (1 = 100 %) as a percentage with one decimal.</summary>
    public static string Percent(double share) => (share * 100).ToString(share < 0.1 ? "0.0#" : "0.0", C) + " %";

    public static string Count(double n) => n.ToString("0", C);

    /// <summary>Events per second: <c>0.25/s</c>, <c>12.5/s</c>, <c>1234/s</c>.</summary>
    public static string Rate(double perSecond) => perSecond.ToString(perSecond < 1 ? "0.0#" : perSecond < 100 ? "0.0" : "0", C) + "/s";

    /// <summary>A latency in seconds, as milliseconds below 10 s.</summary>
    public static string Latency(double seconds) => seconds < 10 ? Millis(seconds * 1000) : Seconds(seconds);

    /// <summary>
    /// Text from outside (a comm, which may hold a newline; a problem quoting it) on one line of the
    /// terminal summary: control characters are written as escapes (<c>\n</c>, <c>\t</c>, <c>\x1b</c>).
    /// </summary>
    public static string OneLine(string? text)
    {
        if (string.IsNullOrEmpty(text) || !text.Any(char.IsControl))
        {
            return text ?? string.Empty;
        }

        var sb = new System.Text.StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            _ = c switch
            {
                '\n' => sb.Append("\\n"),
                '\r' => sb.Append("\\r"),
                '\t' => sb.Append("\\t"),
                _ when char.IsControl(c) => sb.Append(C, $"\\x{(int)c:x2}"),
                _ => sb.Append(c),
            };
        }

        return sb.ToString();
    }

    public static string Millis(double ms) => ms < 10 ? ms.ToString("0.0#", C) + " ms" : ms.ToString("0", C) + " ms";

    public static string Seconds(double s) => s < 10 ? s.ToString("0.0", C) + " s" : Duration(s);

    /// <summary>The two largest units: <c>3d 4h</c>, <c>1h 02m</c>, <c>5m 10s</c>, <c>45s</c>.</summary>
    public static string Duration(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Max(0, Math.Floor(seconds)));
        return t.TotalDays >= 1 ? string.Create(C, $"{(int)t.TotalDays}d {t.Hours}h")
            : t.TotalHours >= 1 ? string.Create(C, $"{t.Hours}h {t.Minutes:00}m")
            : t.TotalMinutes >= 1 ? string.Create(C, $"{t.Minutes}m {t.Seconds:00}s")
            : string.Create(C, $"{t.Seconds}s");
    }

    /// <summary>
    /// Memory against its limit as the summary prints it: <c>memory 412 MiB of 512 MiB (80 %)</c>,
    /// <c>memory 412 MiB (no limit)</c>; without <paramref name="withWorkingSet"/> only the part
    /// after the value (<c>of 512 MiB (80 %)</c>). Null when the working set is unknown.
    /// </summary>
    public static string? MemoryOfLimit(long? workingSet, long? limit, bool withWorkingSet = true)
    {
        if (workingSet is not { } w)
        {
            return null;
        }

        var head = withWorkingSet ? $"memory {WholeMib(w)} " : string.Empty;
        return limit is { } l && l > 0
            ? string.Create(C, $"{head}of {WholeMib(l)} ({Math.Round(100.0 * w / l):0} %)")
            : $"{head}(no limit)";
    }

    /// <summary>Whole mebibytes, the unit of Kubernetes memory limits: <c>512 MiB</c>.</summary>
    public static string WholeMib(double bytes) => (bytes / (1 << 20)).ToString("0", C) + " MiB";

    public static string Clock(DateTimeOffset at) => at.UtcDateTime.ToString("HH:mm:ss", C);
}
