using System.Diagnostics;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>
/// A copy of a system binary under another name (the name a test selects by), made by `cp` in a
/// child process. A copy written by this process would hold a write descriptor that a child forked
/// at that moment by a concurrent test keeps until its own exec; executing the copy in that window
/// fails with ETXTBSY ("Text file busy": seen once at load average ~20). `cp` has exited, and its
/// descriptor with it, before the copy is executed.
/// </summary>
internal static class ExecutableCopy
{
    public static string Make(string source, string path)
    {
        using var cp = Process.Start(new ProcessStartInfo("cp", [source, path]) { UseShellExecute = false })!;
        cp.WaitForExit();
        if (cp.ExitCode != 0)
        {
            throw new IOException($"cp {source} {path} exited {cp.ExitCode}");
        }

        return path;
    }
}
