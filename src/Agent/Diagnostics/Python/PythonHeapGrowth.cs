using System.Globalization;
using System.Text.Json;
using Agent.Diagnostics.Heap;
using Agent.Runtimes.Python;

namespace Agent.Diagnostics.Python;

/// <summary>
/// What grows in a Python target, per process with a hook (every worker of a tree target, each
/// under its own pid): the collector's counters, the gc-tracked objects by type, and
/// tracemalloc's growth by allocation site over the window — then the collector and the types
/// again. tracemalloc runs only during the window when the hook started it.
/// </summary>
internal sealed class PythonHeapGrowth(PythonHookTargets hooks, TimeProvider time)
{
    public const string Format = "python-heap-growth/1";

    /// <summary>Frames kept per allocation traceback: the allocating line and four callers.</summary>
    public const int Frames = 5;

    /// <summary>Growth under this is reported as "no site grew".</summary>
    public const long NoiseBytes = 64 * 1024;

    /// <summary>How long a request may take beyond the window: two tracemalloc snapshots of a big heap, or a walk of every object.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(60);

    public async Task RunAsync(DiagnosticTarget target, TimeSpan window, string path, int top, CancellationToken cancellationToken)
    {
        var members = hooks.Find(target);
        if (members.Count == 0)
        {
            throw new CaptureFailedException(PythonHookTargets.NoHookFix(target));
        }

        var started = time.GetUtcNow();
        var processes = await Task.WhenAll(members.Select(m => MeasureAsync(m.Pid, m.Socket, window, top, cancellationToken)));
        if (processes.All(p => p.Error is not null))
        {
            throw new CaptureFailedException(string.Join("; ", processes.Select(p => string.Create(CultureInfo.InvariantCulture, $"pid {p.Pid}: {p.Error}"))));
        }

        var result = new PythonHeapGrowthArtifact(
            Format,
            target.Name,
            target.Identity.Pid,
            "python",
            Math.Round((time.GetUtcNow() - started).TotalSeconds, 1),
            [.. processes.Select(Finding)],
            processes);
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, result, DiagnosticsJsonContext.Default.PythonHeapGrowthArtifact, cancellationToken);
    }

    private static async Task<PythonProcessGrowth> MeasureAsync(int pid, string socket, TimeSpan window, int top, CancellationToken ct)
    {
        try
        {
            var gcBefore = await PythonHookRequests.GcAsync(socket, pid, Grace, ct);
            var typesBefore = await PythonHookRequests.TypesAsync(socket, pid, top, Grace, ct);
            var allocations = await PythonHookRequests.AllocationsAsync(socket, pid, window, Frames, top, Grace, ct);
            var typesAfter = await PythonHookRequests.TypesAsync(socket, pid, top, Grace, ct);
            var gcAfter = await PythonHookRequests.GcAsync(socket, pid, Grace, ct);
            // The hook's deltas are against its previous answer: the one taken just before, unless another client asked in between.
            var deltasOwn = typesAfter.PreviousAt is { } p && Math.Abs(p - typesBefore.TakenAt) < 0.001;
            return new PythonProcessGrowth(pid, gcBefore.Pid, null, allocations, GcDelta(gcBefore, gcAfter), typesAfter.Objects - typesBefore.Objects, deltasOwn, typesBefore.ByCount, typesAfter.ByCount, typesAfter.ByGrowth ?? []);
        }
        catch (PythonHookException e)
        {
            return new PythonProcessGrowth(pid, null, e.Message, null, null, null, false, [], [], []);
        }
    }

    private static PythonGcDelta GcDelta(PythonGc before, PythonGc after)
    {
        var n = Math.Min(before.Stats.Count, after.Stats.Count);
        return new PythonGcDelta(
            [.. Enumerable.Range(0, n).Select(g => after.Stats[g].Collections - before.Stats[g].Collections)],
            [.. Enumerable.Range(0, n).Select(g => after.Stats[g].Collected - before.Stats[g].Collected)],
            [.. Enumerable.Range(0, n).Select(g => after.Stats[g].Uncollectable - before.Stats[g].Uncollectable)],
            after.Garbage);
    }

    /// <summary>One sentence per process: the top growing line, or that nothing grew and what the collector did meanwhile.</summary>
    internal static string Finding(PythonProcessGrowth p)
    {
        var who = string.Create(CultureInfo.InvariantCulture, $"pid {p.Pid}");
        if (p.Allocations is not { } a)
        {
            return $"{who}: no answer ({p.Error})";
        }

        var collector = p.Gc is { } gc
            ? string.Create(CultureInfo.InvariantCulture, $"the collector ran {gc.Collections.Sum()} times and freed {gc.Collected.Sum()} objects in cycles ({gc.Uncollectable.Sum()} uncollectable, {gc.Garbage} in gc.garbage)")
            : "the collector's counters are unknown";
        if (a.Sites.Count == 0 || a.Sites[0].SizeDiff < NoiseBytes)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{who}: no allocation site grew by {NoiseBytes / 1024} KiB or more in {a.Seconds:F0} s (traced memory {Signed(a.SizeDiff)}, peak {DotnetHeapGrowth.Mib(a.TracedPeak)}); meanwhile {collector}");
        }

        var site = a.Sites[0];
        var frame = site.Frames.Count > 0 ? site.Frames[0] : null;
        var where = frame is null ? "an unknown line" : string.Create(CultureInfo.InvariantCulture, $"{frame.File}:{frame.Line} in {frame.Function ?? "?"}(): {frame.Code ?? "(source not readable)"}");
        return string.Create(CultureInfo.InvariantCulture, $"{who}: {Signed(site.SizeDiff)} in {site.CountDiff} blocks in {a.Seconds:F0} s at {where} (all sites: {Signed(a.SizeDiff)}); meanwhile {collector}");
    }

    private static string Signed(long bytes) => (bytes < 0 ? "-" : "+") + DotnetHeapGrowth.Mib(Math.Abs(bytes));
}

/// <summary>
/// The Python heap growth artifact (<c>kind=heap</c> of a Python target, format <c>python-heap-growth/1</c>).
/// </summary>
/// <param name="Findings">One sentence per process: the top growing line, or that nothing grew and what the collector did.</param>
/// <param name="Processes">One entry per process with a hook (a tree target's workers each under their own pid).</param>
internal sealed record PythonHeapGrowthArtifact(string Format, string Target, int Pid, string Runtime, double Seconds, IReadOnlyList<string> Findings, IReadOnlyList<PythonProcessGrowth> Processes);

/// <summary>One process's growth over the window.</summary>
/// <param name="Pid">As the agent numbers it.</param>
/// <param name="OwnPid">As the process numbers itself (another PID namespace).</param>
/// <param name="Error">Why this process gave no answer (the others still count).</param>
/// <param name="Allocations">tracemalloc's growth by site.</param>
/// <param name="Gc">What the collector did during the window.</param>
/// <param name="ObjectsDelta">Change in gc-tracked objects.</param>
/// <param name="TypeDeltasOwn">True when the types' deltas are between this capture's two walks (no other client asked in between).</param>
/// <param name="TypesBefore">gc-tracked objects by type before the window (top by count).</param>
/// <param name="TypesAfter">The same after it, with deltas.</param>
/// <param name="TypesGrown">Types whose count grew most.</param>
internal sealed record PythonProcessGrowth(
    int Pid,
    int? OwnPid,
    string? Error,
    PythonAllocations? Allocations,
    PythonGcDelta? Gc,
    long? ObjectsDelta,
    bool TypeDeltasOwn,
    IReadOnlyList<PythonTypeCount> TypesBefore,
    IReadOnlyList<PythonTypeCount> TypesAfter,
    IReadOnlyList<PythonTypeCount> TypesGrown);

/// <summary>The collector's work during the window, per generation, and gc.garbage at its end.</summary>
internal sealed record PythonGcDelta(IReadOnlyList<long> Collections, IReadOnlyList<long> Collected, IReadOnlyList<long> Uncollectable, long Garbage);
