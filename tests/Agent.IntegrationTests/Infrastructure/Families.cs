using System.Text.RegularExpressions;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>
/// The families of a text exposition as a scraper sees them: name and type from the
/// <c># TYPE</c> lines, label names from the samples. Read here, independently of the agent.
/// </summary>
internal static partial class Families
{
    /// <summary>Family name → its <c># TYPE</c>.</summary>
    public static Dictionary<string, string> Types(string text) =>
        text.Split('\n')
            .Select(l => TypeLine().Match(l.TrimEnd('\r')))
            .Where(m => m.Success)
            .ToDictionary(m => m.Groups["name"].Value, m => m.Groups["type"].Value, StringComparer.Ordinal);

    /// <summary>
    /// The family a sample belongs to. Counters' samples carry the family name as is (the
    /// exporter writes <c># TYPE x_total counter</c> and samples <c>x_total</c>).
    /// </summary>
    public static string FamilyOf(Series s, IReadOnlyDictionary<string, string> types) =>
        types.ContainsKey(s.Name) ? s.Name : throw new InvalidOperationException($"sample {s.Name} has no # TYPE line");

    /// <summary>A series' identity: name and sorted labels.</summary>
    public static string Key(Series s) =>
        s.Name + "{" + string.Join(",", s.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")) + "}";

    [GeneratedRegex("""^# TYPE (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<type>\w+)$""")]
    private static partial Regex TypeLine();
}
