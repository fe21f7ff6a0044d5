using System.Globalization;
using System.Text;
using System.Text.Json;
using Agent.Runtimes.Python;

namespace Agent.Diagnostics.Python;

/// <summary>
/// Every Python thread's stack through the hook (<c>sys._current_frames()</c>), written as text
/// in faulthandler's order (most recent call first), one section per process of the target.
/// </summary>
internal sealed class PythonHookStacks(PythonHookTargets hooks, TimeProvider time)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>Writes the stacks of every member with a hook; false (nothing written) when none answered, with the reasons.</summary>
    private static async Task<Answer> AskAsync(int pid, string socket, CancellationToken ct)
    {
        try
        {
            return new Answer(pid, await PythonHookRequests.StacksAsync(socket, pid, Timeout, ct), null);
        }
        catch (PythonHookException e)
        {
            return new Answer(pid, null, e.Message);
        }
    }

    public async Task<(bool Written, string? Why)> TryCaptureAsync(DiagnosticTarget target, string path, CancellationToken cancellationToken)
    {
        var members = hooks.Find(target);
        if (members.Count == 0)
        {
            return (false, "no hook socket");
        }

        var answers = await Task.WhenAll(members.Select(m => AskAsync(m.Pid, m.Socket, cancellationToken)));
        if (answers.All(a => a.Stacks is null))
        {
            return (false, string.Join("; ", answers.Select(a => string.Create(CultureInfo.InvariantCulture, $"pid {a.Pid}: {a.Error}"))));
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# Python stacks of target {target.Name}, answered by the Python hook (sidecar_hook) at {time.GetUtcNow():O}\n");
        foreach (var answer in answers)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n## pid {answer.Pid}\n");
            if (answer.Stacks is not { } stacks)
            {
                text.Append(CultureInfo.InvariantCulture, $"no answer: {answer.Error}\n");
                continue;
            }

            // The application's threads first, the hook's own (marked) last.
            foreach (var thread in stacks.GetProperty("threads").EnumerateArray().OrderBy(t => t.TryGetProperty("hook", out var h) && h.ValueKind == JsonValueKind.True))
            {
                var hook = thread.TryGetProperty("hook", out var h) && h.ValueKind == JsonValueKind.True;
                text.Append(CultureInfo.InvariantCulture, $"\nThread 0x{PythonHookRequests.Number(thread, "id"):x} \"{PythonHookRequests.Text(thread, "name")}\" (native id {PythonHookRequests.Number(thread, "nativeId")}{(hook ? ", the hook's own" : "")}) (most recent call first):\n");
                if (!thread.TryGetProperty("frames", out var frames) || frames.ValueKind != JsonValueKind.Array)
                {
                    continue;
                }

                foreach (var f in frames.EnumerateArray())
                {
                    text.Append(CultureInfo.InvariantCulture, $"  File \"{PythonHookRequests.Text(f, "file")}\", line {PythonHookRequests.Number(f, "line")} in {PythonHookRequests.Text(f, "function")}\n");
                    if (PythonHookRequests.Text(f, "code") is { Length: > 0 } code)
                    {
                        text.Append(CultureInfo.InvariantCulture, $"    {code}\n");
                    }
                }
            }
        }

        await File.WriteAllTextAsync(path, text.ToString(), cancellationToken);
        return (true, null);
    }

    private sealed record Answer(int Pid, JsonElement? Stacks, string? Error);
}
