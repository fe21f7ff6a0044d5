using System.Globalization;
using System.Text.RegularExpressions;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>One sample line of a Prometheus text exposition.</summary>
internal sealed record Series(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string? this[string label] => Labels.GetValueOrDefault(label);
}

/// <summary>
/// A deliberately simple reader of the text format for test assertions, independent of the
/// agent's code. Handles the label syntax the exporters here produce (quoted values with escapes).
/// </summary>
internal static partial class Exposition
{
    public static List<Series> Parse(string text)
    {
        var result = new List<Series>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var m = SampleLine().Match(line);
            if (!m.Success)
            {
                throw new FormatException("not a sample line: " + line);
            }

            var labels = new Dictionary<string, string>();
            foreach (Match l in LabelPair().Matches(m.Groups["labels"].Value))
            {
                labels[l.Groups["k"].Value] = Regex.Unescape(l.Groups["v"].Value);
            }

            var value = m.Groups["value"].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                var v => double.Parse(v, CultureInfo.InvariantCulture),
            };
            result.Add(new Series(m.Groups["name"].Value, labels, value));
        }

        return result;
    }

    public static IEnumerable<Series> Named(this IEnumerable<Series> all, string name) => all.Where(s => s.Name == name);

    public static double? Value(this IEnumerable<Series> all, string name, string? label = null, string? labelValue = null) =>
        all.Named(name).FirstOrDefault(s => label is null || s[label] == labelValue)?.Value;

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+\d+)?$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""(?<k>[a-zA-Z_][a-zA-Z0-9_]*)="(?<v>(\\.|[^"\\])*)",?""")]
    private static partial Regex LabelPair();
}
