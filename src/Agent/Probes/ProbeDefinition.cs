using Agent.Common;
namespace Agent.Probes;

internal enum ProbeKind
{
    Redis,
    Postgres,
    Http,
    Tcp,
}

/// <summary>One validated probe. Immutable; the connection string is a <see cref="Secret"/>.</summary>
internal sealed record ProbeDefinition(
    string Name,
    ProbeKind Kind,
    TimeSpan Timeout,
    TimeSpan Period,
    bool Critical,
    Secret? ConnectionString = null,
    Uri? Url = null,
    StatusRanges? ExpectedStatus = null,
    string? Host = null,
    int Port = 0,
    string? Send = null,
    string? Expect = null)
{
    public string KindLabel => Kind switch
    {
        ProbeKind.Redis => "redis",
        ProbeKind.Postgres => "postgres",
        ProbeKind.Http => "http",
        _ => "tcp",
    };

    /// <summary>A result older than this counts as failed: a stuck scheduler must not keep /ready green.</summary>
    public TimeSpan StaleAfter => (3 * Period) + Timeout;
}

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
