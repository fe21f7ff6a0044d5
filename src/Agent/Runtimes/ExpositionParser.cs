using System.Globalization;
using System.Text;

namespace Agent.Runtimes;

/// <summary>
/// A strict reader of the Prometheus text format (0.0.4) and the parts of OpenMetrics 1.0 that
/// prometheus_client emits (<c># EOF</c>, <c>_created</c>, <c>info</c>). Like Prometheus it rejects a
/// whole exposition on the first malformed line, with the line number; it never throws anything
/// but <see cref="FormatException"/>, and it bounds what it keeps.
/// </summary>
internal static class ExpositionParser
{
    public const int MaxSamples = 20_000;
    public const int MaxLabels = 64;
    public const int MaxLineLength = 64 * 1024;

    private static readonly string[] Suffixes = ["_total", "_created", "_count", "_sum", "_bucket", "_info", "_gcount", "_gsum"];

    public static IReadOnlyList<ScrapedFamily> Parse(string text)
    {
        var families = new Dictionary<string, (string Type, string? Help, List<ScrapedSample> Samples)>(StringComparer.Ordinal);
        var order = new List<string>();
        var samples = 0;
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            if (line.Length > MaxLineLength)
            {
                throw new FormatException($"line {lineNumber}: longer than {MaxLineLength} characters");
            }

            if (line.Length == 0 || line.AsSpan().IsWhiteSpace())
            {
                continue;
            }

            if (line[0] == '#')
            {
                if (line == "# EOF")
                {
                    break;
                }

                var parts = line.Split(' ', 4, StringSplitOptions.None);
                if (parts.Length >= 3 && parts[1] is "TYPE" or "HELP")
                {
                    var name = parts[2];
                    if (!IsMetricName(name))
                    {
                        throw new FormatException($"line {lineNumber}: invalid metric name in {parts[1]}");
                    }

                    if (!families.TryGetValue(name, out var f))
                    {
                        f = ("untyped", null, []);
                        order.Add(name);
                    }

                    if (parts[1] == "TYPE")
                    {
                        var type = parts.Length > 3 ? parts[3].Trim() : string.Empty;
                        if (type is not ("counter" or "gauge" or "histogram" or "summary" or "untyped" or "unknown" or "info" or "stateset" or "gaugehistogram"))
                        {
                            throw new FormatException($"line {lineNumber}: unknown type");
                        }

                        f.Type = type == "unknown" ? "untyped" : type;
                    }
                    else
                    {
                        f.Help = parts.Length > 3 ? Unescape(parts[3]) : string.Empty;
                    }

                    families[name] = f;
                }

                continue;
            }

            var sample = ParseSample(line, lineNumber);
            if (++samples > MaxSamples)
            {
                throw new FormatException($"more than {MaxSamples} samples");
            }

            var family = FamilyOf(sample.Name, families);
            if (!families.TryGetValue(family, out var fam))
            {
                fam = ("untyped", null, []);
                order.Add(family);
                families[family] = fam;
            }

            fam.Samples.Add(sample);
        }

        return order.Select(n => new ScrapedFamily(n, families[n].Type, families[n].Help, families[n].Samples)).ToList();
    }

    private static string FamilyOf(string sampleName, Dictionary<string, (string Type, string? Help, List<ScrapedSample> Samples)> families)
    {
        if (families.ContainsKey(sampleName))
        {
            return sampleName;
        }

        foreach (var suffix in Suffixes)
        {
            if (sampleName.EndsWith(suffix, StringComparison.Ordinal) && families.ContainsKey(sampleName[..^suffix.Length]))
            {
                return sampleName[..^suffix.Length];
            }
        }

        return sampleName;
    }

    private static ScrapedSample ParseSample(string line, int lineNumber)
    {
        var i = 0;
        while (i < line.Length && IsNameChar(line[i], i == 0))
        {
            i++;
        }

        if (i == 0)
        {
            throw new FormatException($"line {lineNumber}: expected a metric name");
        }

        var name = line[..i];
        var labels = new List<KeyValuePair<string, string>>();
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                SkipBlanks(line, ref i);
                if (i < line.Length && line[i] == '}')
                {
                    i++;
                    break;
                }

                var start = i;
                while (i < line.Length && IsLabelChar(line[i], i == start))
                {
                    i++;
                }

                if (i == start || i + 1 >= line.Length || line[i] != '=' || line[i + 1] != '"')
                {
                    throw new FormatException($"line {lineNumber}: malformed label");
                }

                var labelName = line[start..i];
                i += 2;
                var value = new StringBuilder();
                var closed = false;
                while (i < line.Length)
                {
                    var c = line[i++];
                    if (c == '"')
                    {
                        closed = true;
                        break;
                    }

                    if (c == '\\')
                    {
                        if (i >= line.Length)
                        {
                            break;
                        }

                        var e = line[i++];
                        value.Append(e switch
                        {
                            'n' => '\n',
                            '\\' => '\\',
                            '"' => '"',
                            _ => throw new FormatException($"line {lineNumber}: invalid escape in label value"),
                        });
                    }
                    else
                    {
                        value.Append(c);
                    }
                }

                if (!closed)
                {
                    throw new FormatException($"line {lineNumber}: unterminated label value");
                }

                if (labels.Count >= MaxLabels)
                {
                    throw new FormatException($"line {lineNumber}: more than {MaxLabels} labels");
                }

                if (labels.Any(l => l.Key == labelName))
                {
                    throw new FormatException($"line {lineNumber}: duplicate label");
                }

                labels.Add(new(labelName, value.ToString()));
                SkipBlanks(line, ref i);
                if (i < line.Length && line[i] == ',')
                {
                    i++;
                }
                else if (i >= line.Length || line[i] != '}')
                {
                    throw new FormatException($"line {lineNumber}: expected ',' or '}}' after a label");
                }
            }
        }

        if (i >= line.Length || (line[i] != ' ' && line[i] != '\t'))
        {
            throw new FormatException($"line {lineNumber}: expected a value");
        }

        var rest = line[i..].Trim().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (rest.Length is < 1 or > 3) // value [timestamp] [# exemplar is not supported]
        {
            throw new FormatException($"line {lineNumber}: expected a value and an optional timestamp");
        }

        var number = rest[0] switch
        {
            "+Inf" or "Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            var v when double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => throw new FormatException($"line {lineNumber}: value is not a number"),
        };
        return new ScrapedSample(name, labels, number);
    }

    /// <summary>HELP text escapes: a backslash before <c>n</c> is a newline; before anything else
    /// (a backslash included) it keeps that character.</summary>
    private static string Unescape(string s)
    {
        if (!s.Contains('\\', StringComparison.Ordinal))
        {
            return s;
        }

        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] != '\\' || i + 1 >= s.Length)
            {
                sb.Append(s[i]);
                continue;
            }

            var e = s[++i];
            sb.Append(e == 'n' ? '\n' : e);
        }

        return sb.ToString();
    }

    private static void SkipBlanks(string s, ref int i)
    {
        while (i < s.Length && (s[i] == ' ' || s[i] == '\t'))
        {
            i++;
        }
    }

    public static bool IsMetricName(string s) => s.Length > 0 && s.Select((c, i) => IsNameChar(c, i == 0)).All(b => b);

    private static bool IsNameChar(char c, bool first) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_' or ':' || (!first && c is >= '0' and <= '9');

    private static bool IsLabelChar(char c, bool first) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_' || (!first && c is >= '0' and <= '9');
}
