using System.IO.Enumeration;
using System.Runtime.InteropServices;
using System.Text;

namespace Agent.Procfs;

/// <summary>One open file descriptor: its number, kind and link target.</summary>
internal readonly record struct ProcFd(int Fd, FdKind Kind, ulong Inode, string Target);

/// <summary>
/// Lists the open file descriptors of a process with their link targets (<c>readlink</c> on each
/// <c>fd/&lt;n&gt;</c>). Needs the same rights as counting them: the process's user or
/// CAP_SYS_PTRACE. An fd closed between the listing and the readlink is skipped. Bounded by
/// <c>limit</c>: a process may hold a million fds.
/// </summary>
internal static partial class ProcFds
{
    private static readonly EnumerationOptions Options = new() { RecurseSubdirectories = false, IgnoreInaccessible = false, AttributesToSkip = 0 };

    public static unsafe ProcReadStatus Read(string pidDirectory, List<ProcFd> into, int limit, out bool truncated)
    {
        truncated = false;
        var fdDirectory = Path.Join(pidDirectory, "fd");
        List<int> fds;
        try
        {
            fds = [.. new FileSystemEnumerable<int>(
                fdDirectory,
                static (ref FileSystemEntry e) => int.TryParse(e.FileName, out var fd) ? fd : -1,
                Options)];
        }
        catch (UnauthorizedAccessException)
        {
            return ProcReadStatus.Denied;
        }
        catch (Exception e) when (e is DirectoryNotFoundException or IOException)
        {
            return ProcReadStatus.Gone;
        }

        fds.Sort();
        // PATH_MAX: the kernel never prints a longer link target.
        var buffer = stackalloc byte[4096];
        var prefix = fdDirectory + "/";
        foreach (var fd in fds)
        {
            if (fd < 0)
            {
                continue;
            }

            if (into.Count >= limit)
            {
                truncated = true;
                break;
            }

            var n = ReadLink(prefix + fd.ToString(System.Globalization.CultureInfo.InvariantCulture), buffer, 4096);
            if (n <= 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno is 13 /* EACCES */ or 1 /* EPERM */)
                {
                    return ProcReadStatus.Denied;
                }

                continue; // ENOENT: closed meanwhile
            }

            var target = new ReadOnlySpan<byte>(buffer, (int)n);
            var link = ProcFdLink.Classify(target);
            into.Add(new ProcFd(fd, link.Kind, link.Inode, Encoding.UTF8.GetString(target)));
        }

        return ProcReadStatus.Ok;
    }

    [LibraryImport("libc", EntryPoint = "readlink", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial nint ReadLink(string path, byte* buffer, nint size);
}
