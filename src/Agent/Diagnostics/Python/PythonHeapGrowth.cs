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
/// <remarks>
/// The artifact (format <c>python-heap-growth/1</c>): <c>{format, target, pid, runtime, seconds,
/// findings: [one sentence per process], processes: [{pid, ownPid, error?, allocations: the
/// hook's answer (seconds, frames, startedTracing, collectSeconds, tracedBefore, tracedAfter, tracedPeak,
/// tracemallocOverhead, sizeDiff, countDiff, sitesGrowing, sites: [{sizeDiff, countDiff, size,
/// count, frames: [{file, line, function, code}]}]), gc: {collections, collected, uncollectable:
/// per generation over the window, garbage}, objectsDelta, typeDeltasOwn, typesBefore,
/// typesAfter, typesGrown: [{type, count, delta}]}]}</c>. Written with a plain JSON writer: the
/// hook's answers are copied as they came (checked for the fields read here).
/// </remarks>
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

        await using var file = File.Create(path);
        await using var json = new Utf8JsonWriter(file);
        json.WriteStartObject();
        json.WriteString("format", Format);
        json.WriteString("target", target.Name);
        json.WriteNumber("pid", target.Identity.Pid);
        json.WriteString("runtime", "python");
        json.WriteNumber("seconds", Math.Round((time.GetUtcNow() - started).TotalSeconds, 1));
        json.WriteStartArray("findings");
        foreach (var p in processes)
        {
            json.WriteStringValue(Finding(p));
        }

        json.WriteEndArray();
        json.WriteStartArray("processes");
        foreach (var p in processes)
        {
            p.Write(json);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>One sentence per process: the top growing line, or that nothing grew and what the collector did meanwhile.</summary>
    internal static string Finding(ProcessGrowth p)
    {
        var who = string.Create(CultureInfo.InvariantCulture, $"pid {p.Pid}");
        if (p.Allocations is not { } a)
        {
            return $"{who}: no answer ({p.Error})";
        }

        var collector = p.Gc is { } gc
            ? string.Create(CultureInfo.InvariantCulture, $"the collector ran {gc.Collections.Sum()} times and freed {gc.Collected.Sum()} objects in cycles ({gc.Uncollectable.Sum()} uncollectable, {gc.Garbage} in gc.garbage)")
            : "the collector's counters are unknown";
        var seconds = a.GetProperty("seconds").GetDouble();
        var all = PythonHookRequests.Number(a, "sizeDiff");
        var sites = a.GetProperty("sites");
        var first = sites.GetArrayLength() > 0 ? sites[0] : default;
        if (first.ValueKind != JsonValueKind.Object || PythonHookRequests.Number(first, "sizeDiff") < NoiseBytes)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{who}: no allocation site grew by {NoiseBytes / 1024} KiB or more in {seconds:F0} s (traced memory {Signed(all)}, peak {DotnetHeapGrowth.Mib(PythonHookRequests.Number(a, "tracedPeak"))}); meanwhile {collector}");
        }

        var frame = first.TryGetProperty("frames", out var frames) && frames.ValueKind == JsonValueKind.Array && frames.GetArrayLength() > 0 ? frames[0] : default;
        var where = frame.ValueKind != JsonValueKind.Object
            ? "an unknown line"
            : string.Create(CultureInfo.InvariantCulture, $"{PythonHookRequests.Text(frame, "file")}:{PythonHookRequests.Number(frame, "line")} in {PythonHookRequests.Text(frame, "function") ?? "?"}(): {PythonHookRequests.Text(frame, "code") ?? "(source not readable)"}");
        return string.Create(CultureInfo.InvariantCulture, $"{who}: {Signed(PythonHookRequests.Number(first, "sizeDiff"))} in {PythonHookRequests.Number(first, "countDiff")} blocks in {seconds:F0} s at {where} (all sites: {Signed(all)}); meanwhile {collector}");
    }

    private static async Task<ProcessGrowth> MeasureAsync(int pid, string socket, TimeSpan window, int top, CancellationToken ct)
    {
        try
        {
            var gcBefore = await PythonHookRequests.GcAsync(socket, pid, Grace, ct);
            var typesBefore = await PythonHookRequests.TypesAsync(socket, pid, top, Grace, ct);
            var allocations = await PythonHookRequests.AllocationsAsync(socket, pid, window, Frames, top, Grace, ct);
            var typesAfter = await PythonHookRequests.TypesAsync(socket, pid, top, Grace, ct);
            var gcAfter = await PythonHookRequests.GcAsync(socket, pid, Grace, ct);
            return new ProcessGrowth(pid, gcBefore.Pid, null, allocations, GcDelta.Between(gcBefore, gcAfter), typesBefore, typesAfter);
        }
        catch (PythonHookException e)
        {
            return new ProcessGrowth(pid, null, e.Message, null, null, null, null);
        }
    }

    private static string Signed(long bytes) => (bytes < 0 ? "-" : "+") + DotnetHeapGrowth.Mib(Math.Abs(bytes));

    /// <summary>What the collector did during the window, per generation, and gc.garbage at its end.</summary>
    internal sealed record GcDelta(long[] Collections, long[] Collected, long[] Uncollectable, long Garbage)
    {
        public static GcDelta Between(PythonGc before, PythonGc after)
        {
            var n = Math.Min(before.Stats.Count, after.Stats.Count);
            var (c, d, u) = (new long[n], new long[n], new long[n]);
            for (var g = 0; g < n; g++)
            {
                c[g] = after.Stats[g].Collections - before.Stats[g].Collections;
                d[g] = after.Stats[g].Collected - before.Stats[g].Collected;
                u[g] = after.Stats[g].Uncollectable - before.Stats[g].Uncollectable;
            }

            return new GcDelta(c, d, u, after.Garbage);
        }
    }

    /// <summary>One process's answers over the window (an error instead when its hook gave none; the others still count).</summary>
    internal sealed record ProcessGrowth(int Pid, int? OwnPid, string? Error, JsonElement? Allocations, GcDelta? Gc, JsonElement? TypesBefore, JsonElement? TypesAfter)
    {
        public void Write(Utf8JsonWriter json)
        {
            json.WriteStartObject();
            json.WriteNumber("pid", Pid);
            if (OwnPid is { } own)
            {
                json.WriteNumber("ownPid", own);
            }

            if (Error is { } error)
            {
                json.WriteString("error", error);
            }

            if (Allocations is { } a)
            {
                json.WritePropertyName("allocations");
                WriteWithoutEnvelope(json, a);
            }

            if (Gc is { } gc)
            {
                json.WriteStartObject("gc");
                WriteNumbers(json, "collections", gc.Collections);
                WriteNumbers(json, "collected", gc.Collected);
                WriteNumbers(json, "uncollectable", gc.Uncollectable);
                json.WriteNumber("garbage", gc.Garbage);
                json.WriteEndObject();
            }

            if (TypesBefore is { } before && TypesAfter is { } after)
            {
                json.WriteNumber("objectsDelta", PythonHookRequests.Number(after, "objects") - PythonHookRequests.Number(before, "objects"));
                // The hook's deltas are against its previous answer: the one taken just before, unless another client asked in between.
                var ownDeltas = after.TryGetProperty("previousAt", out var p) && p.ValueKind == JsonValueKind.Number
                    && Math.Abs(p.GetDouble() - before.GetProperty("takenAt").GetDouble()) < 0.001;
                json.WriteBoolean("typeDeltasOwn", ownDeltas);
                json.WritePropertyName("typesBefore");
                before.GetProperty("byCount").WriteTo(json);
                json.WritePropertyName("typesAfter");
                after.GetProperty("byCount").WriteTo(json);
                json.WritePropertyName("typesGrown");
                if (after.TryGetProperty("byGrowth", out var grown) && grown.ValueKind == JsonValueKind.Array)
                {
                    grown.WriteTo(json);
                }
                else
                {
                    json.WriteStartArray();
                    json.WriteEndArray();
                }
            }

            json.WriteEndObject();
        }

        private static void WriteWithoutEnvelope(Utf8JsonWriter json, JsonElement answer)
        {
            json.WriteStartObject();
            foreach (var property in answer.EnumerateObject())
            {
                if (!PythonHookRequests.Envelope.Contains(property.Name))
                {
                    property.WriteTo(json);
                }
            }

            json.WriteEndObject();
        }

        private static void WriteNumbers(Utf8JsonWriter json, string name, long[] values)
        {
            json.WriteStartArray(name);
            foreach (var v in values)
            {
                json.WriteNumberValue(v);
            }

            json.WriteEndArray();
        }
    }
}
