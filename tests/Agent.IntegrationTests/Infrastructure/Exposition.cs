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

            // Strict: the pairs cover the whole label block, each but the last ends with a comma,
            // and no label appears twice.
            var labels = new Dictionary<string, string>();
            var block = m.Groups["labels"].Value;
            var end = 0;
            var pairs = LabelPair().Matches(block);
            for (var i = 0; i < pairs.Count; i++)
            {
                var l = pairs[i];
                if (l.Index != end || (i < pairs.Count - 1 && !l.Value.EndsWith(',')) || !labels.TryAdd(l.Groups["k"].Value, Regex.Unescape(l.Groups["v"].Value)))
                {
                    throw new FormatException("malformed labels: " + line);
                }

                end = l.Index + l.Length;
            }

            if (end != block.Length)
            {
                throw new FormatException("malformed labels: " + line);
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

    /// <summary>
    /// Parses with this reader and with the agent's own strict parser (the one that guards
    /// federation: one bad line rejects the body, as Prometheus does). Either throws
    /// <see cref="FormatException"/>. Cross-check bodies with <see cref="Promtool"/>.
    /// </summary>
    public static List<Series> ParseStrict(string text)
    {
        _ = Agent.Runtimes.ExpositionParser.Parse(text);
        return Parse(text);
    }

    /// <summary>Runs <c>promtool check metrics</c> on a body: (exit code, output).</summary>
    public static async Task<(int ExitCode, string Output)> Promtool(string text)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("promtool", ["check", "metrics"]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var promtool = System.Diagnostics.Process.Start(psi)!;
        var stdout = promtool.StandardOutput.ReadToEndAsync();
        var stderr = promtool.StandardError.ReadToEndAsync();
        await promtool.StandardInput.WriteAsync(text);
        promtool.StandardInput.Close();
        await promtool.WaitForExitAsync();
        return (promtool.ExitCode, await stdout + await stderr);
    }

    public static IEnumerable<Series> Named(this IEnumerable<Series> all, string name) => all.Where(s => s.Name == name);

    public static double? Value(this IEnumerable<Series> all, string name, string? label = null, string? labelValue = null) =>
        all.Named(name).FirstOrDefault(s => label is null || s[label] == labelValue)?.Value;

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+\d+)?$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""(?<k>[a-zA-Z_][a-zA-Z0-9_]*)="(?<v>(\\.|[^"\\])*)",?""")]
    private static partial Regex LabelPair();
}
