using System.Globalization;
using System.Text.Json;

namespace Agent.Runtimes.Python;

/// <summary><c>hello</c>: the hook's version and where it runs.</summary>
internal sealed record PythonHello(string Hook, int Protocol, string Python, string Implementation, bool Tracing, IReadOnlyList<string> Requests);

/// <summary><c>gc</c>: <c>gc.get_stats()</c> per generation, <c>len(gc.garbage)</c>, the application's Python threads (the hook's own not counted), and the pid the process sees.</summary>
internal sealed record PythonGc(IReadOnlyList<PythonGcGeneration> Stats, long Garbage, long Threads, int Pid);

/// <summary>One generation of <c>gc.get_stats()</c>: totals since the process started.</summary>
internal sealed record PythonGcGeneration(long Collections, long Collected, long Uncollectable);

/// <summary>
/// The closed set of requests the agent sends to a hook (src/python-hook/sidecar_hook.py), each
/// answered by one JSON line with camelCase keys. <c>hello</c> and <c>gc</c> are read into
/// records; the answers of <c>allocations</c>, <c>types</c> and <c>stacks</c> go into artifacts as
/// the hook wrote them (checked for the fields the agent reads), so they are kept as JSON — no
/// serializer metadata per answer field in the native binary.
/// </summary>
internal static class PythonHookRequests
{
    /// <summary>What every answer carries besides its own fields: left out when an answer is copied into an artifact.</summary>
    public static readonly IReadOnlySet<string> Envelope = new HashSet<string>(StringComparer.Ordinal) { "v", "ok", "request", "pid", "error" };

    public static async Task<PythonHello> HelloAsync(string path, int pid, TimeSpan timeout, CancellationToken ct)
    {
        var a = await AskAsync(path, pid, PythonHookClient.Line("hello"), timeout, ct);
        return Read(path, () => new PythonHello(a.GetProperty("hook").GetString() ?? "", a.GetProperty("protocol").GetInt32(), a.GetProperty("python").GetString() ?? "", a.GetProperty("implementation").GetString() ?? "", a.GetProperty("tracing").GetBoolean(),
            a.TryGetProperty("requests", out var r) && r.ValueKind == JsonValueKind.Array ? [.. r.EnumerateArray().Select(x => x.GetString() ?? "")] : []));
    }

    public static async Task<PythonGc> GcAsync(string path, int pid, TimeSpan timeout, CancellationToken ct)
    {
        var a = await AskAsync(path, pid, PythonHookClient.Line("gc"), timeout, ct);
        return Read(path, () =>
        {
            var stats = new List<PythonGcGeneration>(3);
            foreach (var g in a.GetProperty("stats").EnumerateArray())
            {
                stats.Add(new PythonGcGeneration(g.GetProperty("collections").GetInt64(), g.GetProperty("collected").GetInt64(), g.GetProperty("uncollectable").GetInt64()));
            }

            return new PythonGc(stats, a.GetProperty("garbage").GetInt64(), a.GetProperty("threads").GetInt64(), a.GetProperty("pid").GetInt32());
        });
    }

    /// <summary>Blocks for the window: the deadline is the window plus <paramref name="grace"/>. The answer has <c>sites</c>, largest growth first.</summary>
    public static async Task<JsonElement> AllocationsAsync(string path, int pid, TimeSpan window, int frames, int top, TimeSpan grace, CancellationToken ct)
    {
        var line = PythonHookClient.Line("allocations", [new("seconds", (int)Math.Ceiling(window.TotalSeconds)), new("frames", frames), new("top", top)]);
        var a = await AskAsync(path, pid, line, window + grace, ct);
        return Read(path, () => a.GetProperty("sites").ValueKind == JsonValueKind.Array && a.GetProperty("seconds").GetDouble() >= 0 ? a : throw new FormatException("no sites"));
    }

    /// <summary>CPU samples over the window (the hook's <c>profile</c>): blocks for the window plus <paramref name="grace"/>. The answer has <c>stacks</c>, each with <c>cpuNanoseconds</c> and its frames leaf first.</summary>
    public static async Task<JsonElement> ProfileAsync(string path, int pid, TimeSpan window, int hz, TimeSpan grace, CancellationToken ct)
    {
        var line = PythonHookClient.Line("profile", [new("seconds", (int)Math.Ceiling(window.TotalSeconds)), new("hz", hz)]);
        var a = await AskAsync(path, pid, line, window + grace, ct);
        return Read(path, () => a.GetProperty("stacks").ValueKind == JsonValueKind.Array && a.GetProperty("seconds").GetDouble() >= 0 ? a : throw new FormatException("no stacks"));
    }

    public static async Task<JsonElement> TypesAsync(string path, int pid, int top, TimeSpan timeout, CancellationToken ct)
    {
        var a = await AskAsync(path, pid, PythonHookClient.Line("types", [new("top", top)]), timeout, ct);
        return Read(path, () => a.GetProperty("byCount").ValueKind == JsonValueKind.Array && a.GetProperty("takenAt").GetDouble() > 0 ? a : throw new FormatException("no byCount"));
    }

    public static async Task<JsonElement> StacksAsync(string path, int pid, TimeSpan timeout, CancellationToken ct)
    {
        var a = await AskAsync(path, pid, PythonHookClient.Line("stacks"), timeout, ct);
        return Read(path, () => a.GetProperty("threads").ValueKind == JsonValueKind.Array ? a : throw new FormatException("no threads"));
    }

    /// <summary>A number of an answer's field, 0 when absent or not a number (for text only; the checked reads throw).</summary>
    public static long Number(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : 0;

    public static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static async Task<JsonElement> AskAsync(string path, int pid, string line, TimeSpan timeout, CancellationToken ct)
    {
        var answer = await PythonHookClient.AskAsync(path, pid, line, timeout, ct);
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(answer);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new PythonHookException(PythonHookFailure.Malformed, $"the hook at {path} answered something that is not JSON ({e.Message})");
        }

        if (root.ValueKind != JsonValueKind.Object || Number(root, "v") != PythonHook.Protocol)
        {
            throw new PythonHookException(PythonHookFailure.Malformed, $"the hook at {path} speaks another protocol version (the agent speaks {PythonHook.Protocol}): use the hook this agent prints (agent python-hook)");
        }

        if (!root.TryGetProperty("ok", out var ok) || ok.ValueKind != JsonValueKind.True)
        {
            var error = Text(root, "error") ?? "failed";
            throw new PythonHookException(PythonHookFailure.Refused, "the hook answered: " + (error.Length > 300 ? error[..300] + "…" : error));
        }

        return root;
    }

    private static T Read<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new PythonHookException(PythonHookFailure.Malformed, string.Create(CultureInfo.InvariantCulture, $"the hook at {path} answered without a field the protocol has ({e.Message})"));
        }
    }
}
