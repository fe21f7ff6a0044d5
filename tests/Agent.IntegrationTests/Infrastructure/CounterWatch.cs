using System.Globalization;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>
/// Follows the <c>target_process_*_total</c> counters of one target over consecutive scrapes and
/// records every decrease that no restart explains (<c>target_restarts_total</c> unchanged since
/// the previous scrape): what Prometheus would count as a reset.
/// </summary>
internal sealed class CounterWatch(string target)
{
    private readonly Dictionary<string, double> _last = [];
    private double _restarts = double.NaN;

    public int Scrapes { get; private set; }

    public List<string> Decreases { get; } = [];

    public double MaxRestarts { get; private set; }

    public void Add(IReadOnlyList<Series> scrape)
    {
        Scrapes++;
        var restarts = scrape.Named("target_restarts_total").FirstOrDefault(s => s["target"] == target)?.Value ?? double.NaN;
        MaxRestarts = Math.Max(MaxRestarts, double.IsNaN(restarts) ? 0 : restarts);
        var restarted = !restarts.Equals(_restarts);
        _restarts = restarts;
        foreach (var s in scrape)
        {
            if (!s.Name.StartsWith("target_process_", StringComparison.Ordinal) || !s.Name.EndsWith("_total", StringComparison.Ordinal) || s["target"] != target)
            {
                continue;
            }

            var key = s.Name + "{" + string.Join(',', s.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value)) + "}";
            if (!restarted && _last.TryGetValue(key, out var before) && s.Value < before)
            {
                Decreases.Add(string.Create(CultureInfo.InvariantCulture, $"scrape {Scrapes}: {key} {before:R} -> {s.Value:R}"));
            }

            _last[key] = s.Value; // after a restart: compared from the new values on
        }
    }

    public string Summary => Decreases.Count == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{Scrapes} scrapes, no decrease")
        : string.Create(CultureInfo.InvariantCulture, $"{Scrapes} scrapes, {Decreases.Count} decreases without a restart: {string.Join("; ", Decreases.Take(5))}");
}
