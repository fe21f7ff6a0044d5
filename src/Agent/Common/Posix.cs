using System.Runtime.InteropServices;

namespace Agent.Common;

/// <summary>What the kernel says about the agent's own access to a path (access(2): real uid, and read-only mounts count).</summary>
internal static partial class Posix
{
    private const int WriteOk = 2;
    private const int ExecuteOk = 1;

    /// <summary>Null if the agent can create files in <paramref name="directory"/>; otherwise the kernel's reason ("Permission denied", "Read-only file system").</summary>
    public static string? WhyNotWritable(string directory) =>
        Access(directory, WriteOk | ExecuteOk) == 0 ? null : new System.ComponentModel.Win32Exception(Marshal.GetLastPInvokeError()).Message;

    [LibraryImport("libc", EntryPoint = "access", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Access(string path, int mode);
}
