using System.Text.Json;
using System.Text.Json.Serialization;

namespace Agent.Runtimes.Python;

// The hook's answers (src/python-hook/sidecar_hook.py), one record per request. The hook writes
// snake_case (PythonHookJsonContext reads it); artifacts write the same records in camelCase.

/// <summary>What every answer carries: the protocol version, whether it worked, and the answering pid (as the process sees itself).</summary>
internal sealed record PythonHookEnvelope(int V, bool Ok, string? Request, string? Error, int? Pid);

/// <summary><c>hello</c>: the hook's version and what it answers.</summary>
internal sealed record PythonHello(string Hook, int Protocol, IReadOnlyList<string> Requests, string Python, string Implementation, bool Tracing, string? Path, int Pid);

/// <summary><c>gc</c>: <c>gc.get_stats()</c> per generation and the collector's state.</summary>
/// <param name="Threads">The application's Python threads (threading.active_count() less the hook's own).</param>
internal sealed record PythonGc(IReadOnlyList<PythonGcGeneration> Stats, IReadOnlyList<long> Count, IReadOnlyList<long> Threshold, long Garbage, bool Enabled, long Threads, int Pid);

/// <summary>One generation of <c>gc.get_stats()</c>: totals since the process started.</summary>
internal sealed record PythonGcGeneration(long Collections, long Collected, long Uncollectable);

/// <summary><c>allocations</c>: tracemalloc's growth over a window, grouped by traceback, largest growth first.</summary>
/// <param name="Seconds">How long the window lasted.</param>
/// <param name="Frames">Frames kept per traceback.</param>
/// <param name="StartedTracing">Whether the hook started tracemalloc for the window (and stopped it after), or the application traces itself.</param>
/// <param name="TracedBefore">Bytes traced at the window's start.</param>
/// <param name="TracedAfter">Bytes traced at its end.</param>
/// <param name="TracedPeak">The most traced at once since tracing started (churn shows here, not in the sites).</param>
/// <param name="TracemallocOverhead">tracemalloc's own memory at the end.</param>
/// <param name="SizeDiff">Growth of all traced memory over the window.</param>
/// <param name="CountDiff">Growth in live blocks.</param>
/// <param name="SitesGrowing">Tracebacks whose live memory grew.</param>
/// <param name="Sites">The top growing sites.</param>
internal sealed record PythonAllocations(double Seconds, int Frames, bool StartedTracing, long TracedBefore, long TracedAfter, long TracedPeak, long TracemallocOverhead, long SizeDiff, long CountDiff, int SitesGrowing, IReadOnlyList<PythonAllocationSite> Sites);

/// <summary>One allocation site: live memory allocated there at the window's end less at its start.</summary>
/// <param name="Frames">Most recent call first: the first frame is the line that allocated.</param>
internal sealed record PythonAllocationSite(long SizeDiff, long CountDiff, long Size, long Count, IReadOnlyList<PythonFrame> Frames);

/// <summary>A source line: file, line, the enclosing function (from the file's syntax tree), the line's text.</summary>
internal sealed record PythonFrame(string File, int Line, string? Function, string? Code);

/// <summary><c>types</c>: gc-tracked objects by type, with deltas against the hook's previous <c>types</c> answer.</summary>
internal sealed record PythonTypes(long Objects, int Types, double TakenAt, double? PreviousAt, IReadOnlyList<PythonTypeCount> ByCount, IReadOnlyList<PythonTypeCount>? ByGrowth);

/// <summary>One type's count, and its change since the previous answer (absent on the first).</summary>
internal sealed record PythonTypeCount(string Type, long Count, long? Delta);

/// <summary><c>stacks</c>: every thread's stack.</summary>
internal sealed record PythonThreadStacks(IReadOnlyList<PythonThread> Threads);

/// <summary>One thread: its ids, name, whether it is one of the hook's own, its frames (most recent first).</summary>
internal sealed record PythonThread(long Id, long? NativeId, string? Name, bool? Daemon, bool Hook, IReadOnlyList<PythonFrame> Frames);

/// <summary>Reads the hook's snake_case answers.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(PythonHookEnvelope))]
[JsonSerializable(typeof(PythonHello))]
[JsonSerializable(typeof(PythonGc))]
[JsonSerializable(typeof(PythonAllocations))]
[JsonSerializable(typeof(PythonTypes))]
[JsonSerializable(typeof(PythonThreadStacks))]
internal sealed partial class PythonHookJsonContext : JsonSerializerContext;

/// <summary>The closed set of requests the agent sends, each with its answer's shape.</summary>
internal static class PythonHookRequests
{
    public static Task<PythonHello> HelloAsync(string path, int pid, TimeSpan timeout, CancellationToken ct) =>
        AskAsync(path, pid, PythonHookClient.Line("hello"), PythonHookJsonContext.Default.PythonHello, timeout, ct);

    public static Task<PythonGc> GcAsync(string path, int pid, TimeSpan timeout, CancellationToken ct) =>
        AskAsync(path, pid, PythonHookClient.Line("gc"), PythonHookJsonContext.Default.PythonGc, timeout, ct);

    /// <summary>Blocks for the window: the deadline is the window plus <paramref name="grace"/>.</summary>
    public static Task<PythonAllocations> AllocationsAsync(string path, int pid, TimeSpan window, int frames, int top, TimeSpan grace, CancellationToken ct) =>
        AskAsync(path, pid, PythonHookClient.Line("allocations", [new("seconds", (int)Math.Ceiling(window.TotalSeconds)), new("frames", frames), new("top", top)]), PythonHookJsonContext.Default.PythonAllocations, window + grace, ct);

    public static Task<PythonTypes> TypesAsync(string path, int pid, int top, TimeSpan timeout, CancellationToken ct) =>
        AskAsync(path, pid, PythonHookClient.Line("types", [new("top", top)]), PythonHookJsonContext.Default.PythonTypes, timeout, ct);

    public static Task<PythonThreadStacks> StacksAsync(string path, int pid, TimeSpan timeout, CancellationToken ct) =>
        AskAsync(path, pid, PythonHookClient.Line("stacks"), PythonHookJsonContext.Default.PythonThreadStacks, timeout, ct);

    private static async Task<T> AskAsync<T>(string path, int pid, string line, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> shape, TimeSpan timeout, CancellationToken ct)
    {
        var answer = await PythonHookClient.AskAsync(path, pid, line, timeout, ct);
        try
        {
            var envelope = JsonSerializer.Deserialize(answer, PythonHookJsonContext.Default.PythonHookEnvelope);
            if (envelope is null || envelope.V != PythonHook.Protocol)
            {
                throw new PythonHookException(PythonHookFailure.Malformed, $"the hook at {path} speaks another protocol version (the agent speaks {PythonHook.Protocol}): use the hook this agent prints (agent python-hook)");
            }

            if (!envelope.Ok)
            {
                var error = envelope.Error ?? "failed";
                throw new PythonHookException(PythonHookFailure.Refused, "the hook answered: " + (error.Length > 300 ? error[..300] + "…" : error));
            }

            return JsonSerializer.Deserialize(answer, shape) ?? throw new PythonHookException(PythonHookFailure.Malformed, $"the hook at {path} answered null");
        }
        catch (JsonException e)
        {
            throw new PythonHookException(PythonHookFailure.Malformed, $"the hook at {path} answered something that is not its protocol ({e.Message})");
        }
    }
}
