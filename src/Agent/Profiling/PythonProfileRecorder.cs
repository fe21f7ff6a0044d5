using System.Text.Json;
using Agent.Diagnostics;
using Agent.Runtimes.Python;

namespace Agent.Profiling;

/// <summary>
/// One window of a Python target through its hook (<c>profile</c>): every process of the target with
/// a hook (each gunicorn worker) samples its own threads at <see cref="Hz"/> for the window, adding
/// each thread's CPU time since the previous tick to the stack it is in (so a thread blocked in I/O
/// shows nothing); the answers are merged into one profile. No ptrace, no added capability.
/// </summary>
internal static class PythonProfileRecorder
{
    /// <summary>Ticks per second in the target (jittered there, so a loop's rhythm cannot alias).</summary>
    public const int Hz = 100;

    /// <summary>
    /// The hook measures CPU time in nanoseconds; the profile counts it in units of 0.1 ms (pprof's
    /// <c>samples</c> value; <c>cpu/nanoseconds</c> is that times the unit), so a stack's share is its
    /// CPU time, not how many ticks happened to land on it.
    /// </summary>
    public static readonly TimeSpan Unit = TimeSpan.FromTicks(1000);

    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    public static async Task<CpuProfile> RecordAsync(IReadOnlyList<(int Pid, string Socket)> members, TimeSpan window, TimeProvider time, CancellationToken cancellationToken)
    {
        var start = time.GetUtcNow();
        var errors = new List<string>();
        var answers = await Task.WhenAll(members.Select(async m =>
        {
            try
            {
                return (JsonElement?)await PythonHookRequests.ProfileAsync(m.Socket, m.Pid, window, Hz, Grace, cancellationToken);
            }
            catch (PythonHookException e)
            {
                lock (errors)
                {
                    errors.Add($"pid {m.Pid}: {e.Message}");
                }

                return null;
            }
        }));
        if (answers.All(a => a is null))
        {
            throw new CaptureFailedException(errors.Count > 0 ? string.Join("; ", errors) : "the target has no process with the Python hook");
        }

        var stacks = new StackCounter();
        long truncated = 0;
        foreach (var answer in answers.OfType<JsonElement>())
        {
            foreach (var s in answer.GetProperty("stacks").EnumerateArray())
            {
                var units = Units(s.GetProperty("cpuNanoseconds").GetInt64());
                if (units > 0)
                {
                    stacks.Add([.. s.GetProperty("frames").EnumerateArray().Take(CpuProfile.MaxDepth).Select(Frame)], units);
                }
            }

            truncated += Units(answer.GetProperty("truncatedNanoseconds").GetInt64());
        }

        if (truncated > 0)
        {
            stacks.Add([ProfileFrame.Truncated], truncated);
        }

        return new CpuProfile(start, time.GetUtcNow() - start, Unit, stacks.Samples());
    }

    private static long Units(long nanoseconds) => (long)Math.Round(nanoseconds / (Unit.Ticks * 100.0));

    private static ProfileFrame Frame(JsonElement f) =>
        new(f.GetProperty("function").GetString() is { Length: > 0 } name ? name : "[unknown]", f.GetProperty("file").GetString(), f.GetProperty("line").GetInt32());
}
