namespace Agent.Configuration;

/// <summary>Accepted HTTP status codes: <c>200-399</c>, <c>200,204</c>, <c>200-299,401</c>.</summary>
internal sealed record StatusRanges(IReadOnlyList<(int From, int To)> Ranges)
{
    public static StatusRanges Default { get; } = new([(200, 399)]);

    public bool Contains(int status) => Ranges.Any(r => status >= r.From && status <= r.To);

    public static bool TryParse(string text, out StatusRanges ranges)
    {
        ranges = Default;
        var list = new List<(int, int)>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var bounds = part.Split('-', StringSplitOptions.TrimEntries);
            if (bounds.Length is < 1 or > 2
                || !int.TryParse(bounds[0], System.Globalization.CultureInfo.InvariantCulture, out var from)
                || !int.TryParse(bounds[^1], System.Globalization.CultureInfo.InvariantCulture, out var to)
                || from is < 100 or > 599 || to is < 100 or > 599 || to < from)
            {
                return false;
            }

            list.Add((from, to));
        }

        if (list.Count == 0)
        {
            return false;
        }

        ranges = new StatusRanges(list);
        return true;
    }

    public override string ToString() => string.Join(",", Ranges.Select(r => r.From == r.To ? $"{r.From}" : $"{r.From}-{r.To}"));
}
