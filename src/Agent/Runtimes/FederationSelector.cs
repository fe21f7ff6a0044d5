using System.Text.RegularExpressions;

namespace Agent.Runtimes;

/// <summary>
/// Chooses and renames what federation re-exposes: the families matching
/// <c>Runtime:MetricsInclude</c>, prefixed <c>target_</c>, labels kept. Counters stay counters,
/// gauges and untyped become gauges, info stays info (a gauge of 1); histograms and summaries
/// are not re-exposed. A name that would shadow one of the agent's own <c>target_*</c> families
/// is skipped.
/// </summary>
internal static class FederationSelector
{
    // The agent's own families: whole groups by prefix, single families by their exact name, as
    // instrument or as exported (a counter's _total) (a prefix match on "target_up" also dropped an
    // app's own uptime_seconds).
    private static readonly string[] ReservedPrefixes = ["target_process_", "target_dotnet_", "target_runtime_"];
    private static readonly string[] ReservedNames = ["target_up", "target_restarts", "target_restarts_total", "target_processes", "target_info"];

    public static FederatedSnapshot Select(IReadOnlyList<ScrapedFamily> families, Regex include)
    {
        var selected = new Dictionary<string, FederatedFamily>(StringComparer.Ordinal);
        foreach (var family in families)
        {
            if (!include.IsMatch(family.Name))
            {
                continue;
            }

            var (instrument, sampleName, counter) = family.Type switch
            {
                "counter" => ("target_" + Strip(family.Name, "_total"), Strip(family.Name, "_total") + "_total", true),
                "gauge" or "untyped" => ("target_" + family.Name, family.Name, false),
                "info" => ("target_" + Strip(family.Name, "_info") + "_info", Strip(family.Name, "_info") + "_info", false),
                _ => (null, null, false),
            };
            if (instrument is null || ReservedPrefixes.Any(r => instrument.StartsWith(r, StringComparison.Ordinal)) || ReservedNames.Contains(instrument, StringComparer.Ordinal))
            {
                continue;
            }

            var points = family.Samples
                .Where(s => s.Name == sampleName || (!counter && s.Name == family.Name))
                .Select(s => new FederatedPoint(s.Labels.Select(l => new KeyValuePair<string, object?>(l.Key, l.Value)).ToArray(), s.Value))
                .ToList();
            if (points.Count > 0)
            {
                selected[instrument] = new FederatedFamily(instrument, counter, family.Help, points);
            }
        }

        return new FederatedSnapshot(true, selected);
    }

    private static string Strip(string s, string suffix) => s.EndsWith(suffix, StringComparison.Ordinal) ? s[..^suffix.Length] : s;
}
