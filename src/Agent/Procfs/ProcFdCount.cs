using System.IO.Enumeration;
using System.Runtime.InteropServices;

namespace Agent.Procfs;

/// <summary>
/// Counts the open file descriptors of a process: the entries of <c>/proc/&lt;pid&gt;/fd</c>.
/// Since Linux 6.2 <c>stat()</c> on that directory reports the count as its size, which costs
/// one syscall instead of reading ~200 entries (~1 ms for a .NET process). Older kernels report 0,
/// and then the directory is enumerated without allocating a string per entry.
/// </summary>
internal static partial class ProcFdCount
{
    private static readonly EnumerationOptions Options = new()
    {
        RecurseSubdirectories = false,
        IgnoreInaccessible = false,
        AttributesToSkip = 0,
        ReturnSpecialDirectories = false,
    };

    /// <param name="sizeIsCount">True on a real procfs (see <see cref="ProcFs.IsKernelProcfs"/>).</param>
    public static ProcReadStatus Count(string fdDirectory, bool sizeIsCount, out long count)
    {
        count = 0;
        if (sizeIsCount && StatSize(fdDirectory) is var size and > 0)
        {
            count = size;
            return ProcReadStatus.Ok;
        }

        // A size of 0 (older kernel) or a failed stat(): list the entries. A missing or forbidden
        // directory fails the listing the same way, so the listing alone says Gone or Denied.

        try
        {
            var entries = new FileSystemEnumerable<byte>(fdDirectory, static (ref FileSystemEntry _) => 0, Options);
            foreach (var _ in entries)
            {
                count++;
            }

            return ProcReadStatus.Ok;
        }
        catch (UnauthorizedAccessException)
        {
            return ProcReadStatus.Denied;
        }
        catch (IOException)
        {
            // DirectoryNotFoundException included: the process exited.
            return ProcReadStatus.Gone;
        }
    }

    /// <summary>st_size of <paramref name="path"/>, or 0 when stat() fails.</summary>
    private static unsafe long StatSize(string path)
    {
        // struct stat is 144 bytes on x86_64 and 128 on arm64; st_size is at offset 48 on both.
        const int StatBufferSize = 256;
        const int SizeOffset = 48;
        var buffer = stackalloc byte[StatBufferSize];
        return Stat(path, buffer) == 0 ? *(long*)(buffer + SizeOffset) : 0;
    }

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Stat(string path, byte* buffer);
}
