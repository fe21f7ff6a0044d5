using System.Globalization;
using System.Text.Json;
using Agent.Diagnostics.Dotnet;

namespace Agent.Diagnostics.Heap;

/// <summary>
/// What grows on a .NET target's heap: walks it, waits the window, walks it again keeping the
/// object graph within <see cref="HeapGraph.BudgetBytes"/>, and writes the growth by type with
/// the holders of the top growers (<see cref="HeapGrowth"/>). The target pauses for one full
/// blocking collection per walk.
/// </summary>
internal sealed class DotnetHeapGrowth(DotnetChannel channel, TimeProvider time)
{
    public const string Format = "dotnet-heap-growth/1";

    /// <summary>Growers whose holders are looked for.</summary>
    public const int GrowersWithHolders = 10;

    /// <summary>Holder types listed per grower.</summary>
    public const int HoldersPerGrower = 5;

    public async Task RunAsync(DiagnosticTarget target, TimeSpan window, string path, int top, CancellationToken cancellationToken)
    {
        await using var connector = await channel.ConnectAsync(target, cancellationToken);
        var client = connector.Instance;

        await DotnetHeapWalk.FlushTypeTableAsync(client, cancellationToken);
        var first = new HeapTally();
        var (gc1, complete1, malformed1) = await DotnetHeapWalk.WalkAsync(client, first, null, cancellationToken);
        DotnetHeapWalk.EnsureComplete(gc1, complete1, malformed1);
        var before = new HeapWalkTotals(gc1, time.GetUtcNow(), first.Objects, first.Bytes, 0);
        var beforeByName = first.ByName();
        before = before with { Types = beforeByName.Count };
        using var graph = HeapGraph.Plan(first.Objects, first.References, HeapGraph.BudgetBytes, out var tooBig);
        first = null;

        await Task.Delay(window, time, cancellationToken);

        await DotnetHeapWalk.FlushTypeTableAsync(client, cancellationToken);
        var second = new HeapTally();
        var (gc2, complete2, malformed2) = await DotnetHeapWalk.WalkAsync(client, second, graph, cancellationToken);
        DotnetHeapWalk.EnsureComplete(gc2, complete2, malformed2);
        var afterByName = second.ByName();
        var after = new HeapWalkTotals(gc2, time.GetUtcNow(), second.Objects, second.Bytes, afterByName.Count);

        var growth = afterByName.Keys.Union(beforeByName.Keys)
            .Select(name =>
            {
                var a = afterByName.GetValueOrDefault(name);
                var b = beforeByName.GetValueOrDefault(name);
                return new HeapTypeGrowth(name, a.Count - b.Count, a.Bytes - b.Bytes, a.Count, a.Bytes, null);
            })
            .ToList();
        var byBytes = growth.Where(g => g.BytesDelta > 0).OrderByDescending(g => g.BytesDelta).ThenBy(g => g.Type, StringComparer.Ordinal).Take(top).ToList();
        var byCount = growth.Where(g => g.CountDelta > 0).OrderByDescending(g => g.CountDelta).ThenBy(g => g.Type, StringComparer.Ordinal).Take(top).ToList();
        var growers = byBytes.Take(GrowersWithHolders).Concat(byCount.Take(GrowersWithHolders)).Select(g => g.Type).ToHashSet(StringComparer.Ordinal);

        var holders = graph?.Holders(second.IdsNamed(growers), HoldersPerGrower);
        var reserved = graph?.PeakBytes ?? 0;
        var omitted = tooBig ?? graph?.Problem;
        graph?.Dispose();
        var heldBy = new Dictionary<string, IReadOnlyList<HeapHolder>>(StringComparer.Ordinal);
        if (holders is not null)
        {
            foreach (var (id, list) in holders)
            {
                var name = second.NameOf(id);
                var merged = list.Select(h => new HeapHolder(second.NameOf(h.Holder), h.References));
                heldBy[name] = heldBy.TryGetValue(name, out var earlier) ? Merge(earlier.Concat(merged)) : Merge(merged);
            }
        }

        HeapTypeGrowth WithHolders(HeapTypeGrowth g) => growers.Contains(g.Type) && holders is not null ? g with { HeldBy = heldBy.GetValueOrDefault(g.Type) ?? [] } : g;
        byBytes = [.. byBytes.Select(WithHolders)];
        byCount = [.. byCount.Select(WithHolders)];

        var result = new HeapGrowth(
            Format,
            target.Name,
            target.Identity.Pid,
            "dotnet",
            Math.Round((after.At - before.At).TotalSeconds, 1),
            before,
            after,
            after.Objects - before.Objects,
            after.Bytes - before.Bytes,
            Findings(byBytes, (after.At - before.At).TotalSeconds, omitted),
            byBytes,
            byCount,
            new HeapHolderSearch(HeapGraph.BudgetBytes, reserved, growers.Count, omitted));
        await using var file = File.Create(path);
        await using var json = new Utf8JsonWriter(file);
        result.Write(json);

    }

    private static List<HeapHolder> Merge(IEnumerable<HeapHolder> holders) =>
        [.. holders.GroupBy(h => h.Type, StringComparer.Ordinal).Select(g => new HeapHolder(g.Key, g.Sum(h => h.References))).OrderByDescending(h => h.References).Take(HoldersPerGrower)];

    private static List<string> Findings(IEnumerable<HeapTypeGrowth> byBytes, double seconds, string? omitted) =>
        [.. byBytes.Take(5).Select(g =>
        {
            var line = string.Create(CultureInfo.InvariantCulture, $"{g.CountDelta:+0;-0;+0} {g.Type} (+{Mib(g.BytesDelta)}) in {seconds:F0} s, {g.Count} now");
            return g.HeldBy is { Count: > 0 } h
                ? line + ", held by " + string.Join("; ", h.Select(x => string.Create(CultureInfo.InvariantCulture, $"{x.Type} ({x.References} references)")))
                : line + (omitted is null ? ", no holder on the heap (a root: a static, a local, a handle)" : "");
        })];

    internal static string Mib(long bytes) => bytes >= 1024 * 1024
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):F1} MiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:F1} KiB");
}
