using System.Runtime.InteropServices;
using Agent.Procfs;

namespace Agent.Diagnostics.Python;

/// <summary>
/// Python tracebacks without ptrace: the application opts in with two lines —
/// <c>faulthandler.register(signal.SIGUSR2, file=open(f"/tmp/python-stacks-{os.getpid()}.txt", "w"), all_threads=True)</c> —
/// and the agent sends SIGUSR2 and copies what the handler appended. The file's existence is the
/// proof of the opt-in: without the handler SIGUSR2 would terminate the process, so no file, no signal.
/// The pid in the name is the one the target sees (NSpid), not the agent's.
/// </summary>
internal sealed partial class PythonStacks(ProcFs fs, string stacksDirectory)
{
    private const int SigUsr2 = 12;

    public const string OptIn = "import faulthandler, os, signal; faulthandler.register(signal.SIGUSR2, file=open(f\"/tmp/python-stacks-{os.getpid()}.txt\", \"w\"), all_threads=True)";

    public string FilePath(DiagnosticTarget target)
    {
        Span<byte> buffer = stackalloc byte[4096];
        var process = fs.Process(target.Identity.Pid);
        var pid = process.ReadStatus(buffer, out var status) == ProcReadStatus.Ok && status.NamespacePid is { } n ? n : target.Identity.Pid;
        return Path.Join(stacksDirectory, $"python-stacks-{pid}.txt");
    }

    public string? Unsupported(DiagnosticTarget target) => File.Exists(FilePath(target))
        ? null
        : $"no {FilePath(target)}: add the faulthandler opt-in to the application ({OptIn}) and share {stacksDirectory} with the agent (Diagnostics:StacksDirectory)";

    /// <summary>Signals the target and copies the tracebacks it appends to its stacks file.</summary>
    public async Task CaptureAsync(DiagnosticTarget target, string path, CancellationToken cancellationToken)
    {
        var source = FilePath(target);
        var before = new FileInfo(source).Length;
        if (Kill(target.Identity.Pid, SigUsr2) != 0)
        {
            throw new CaptureFailedException($"cannot signal pid {target.Identity.Pid} (errno {Marshal.GetLastPInvokeError()}): the agent must run as the target's user, in its PID namespace (shareProcessNamespace)");
        }

        // faulthandler writes from the signal handler at once; wait until the file stops growing.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        long last = before, stableSince = 0;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, cancellationToken);
            var now = new FileInfo(source).Length;
            if (now > before && now == last && ++stableSince >= 2)
            {
                break;
            }

            if (now != last)
            {
                stableSince = 0;
            }

            last = now;
        }

        if (last <= before)
        {
            throw new CaptureFailedException($"the target did not write to {source} within 5 s of SIGUSR2 (is the faulthandler registration still in place?)");
        }

        await using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        input.Seek(before, SeekOrigin.Begin);
        await using var output = File.Create(path);
        var remaining = last - before;
        var buffer = new byte[81920];
        while (remaining > 0)
        {
            var n = await input.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken);
            if (n <= 0)
            {
                break;
            }

            await output.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
            remaining -= n;
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
