using System.Globalization;
using System.Text;
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
    public async Task<(bool Written, string? Why)> TryCaptureAsync(DiagnosticTarget target, string path, CancellationToken cancellationToken)
    {
        var members = hooks.Find(target);
        if (members.Count == 0)
        {
            return (false, "no hook socket");
        }

        var answers = await Task.WhenAll(members.Select(async m =>
        {
            try
            {
                return (m.Pid, Stacks: await PythonHookRequests.StacksAsync(m.Socket, m.Pid, Timeout, cancellationToken), Error: (string?)null);
            }
            catch (PythonHookException e)
            {
                return (m.Pid, Stacks: (PythonThreadStacks?)null, Error: e.Message);
            }
        }));
        if (answers.All(a => a.Stacks is null))
        {
            return (false, string.Join("; ", answers.Select(a => string.Create(CultureInfo.InvariantCulture, $"pid {a.Pid}: {a.Error}"))));
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# Python stacks of target {target.Name}, answered by the Python hook (sidecar_hook) at {time.GetUtcNow():O}\n");
        foreach (var (pid, stacks, error) in answers)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n## pid {pid}\n");
            if (stacks is null)
            {
                text.Append(CultureInfo.InvariantCulture, $"no answer: {error}\n");
                continue;
            }

            foreach (var thread in stacks.Threads.OrderBy(t => t.Hook))
            {
                text.Append(CultureInfo.InvariantCulture, $"\nThread 0x{thread.Id:x} \"{thread.Name}\" (native id {thread.NativeId}{(thread.Hook ? ", the hook's own" : "")}) (most recent call first):\n");
                foreach (var f in thread.Frames)
                {
                    text.Append(CultureInfo.InvariantCulture, $"  File \"{f.File}\", line {f.Line} in {f.Function}\n");
                    if (!string.IsNullOrEmpty(f.Code))
                    {
                        text.Append(CultureInfo.InvariantCulture, $"    {f.Code}\n");
                    }
                }
            }
        }

        await File.WriteAllTextAsync(path, text.ToString(), cancellationToken);
        return (true, null);
    }
}
