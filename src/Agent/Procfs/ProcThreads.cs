using System.IO.Enumeration;
using System.Text;

namespace Agent.Procfs;

/// <summary>
/// Reads every thread of a process: enumerates <c>task/</c> and parses each thread's
/// <c>stat</c>. Threads come and go while this runs: one that vanishes between the listing and
/// the read is skipped, never an error. Bounded by a limit so a process with
/// 100 000 threads cannot make a snapshot unbounded.
/// </summary>
internal static class ProcThreads
{
    private static readonly EnumerationOptions Options = new() { RecurseSubdirectories = false, IgnoreInaccessible = true, AttributesToSkip = 0 };

    public static ProcReadStatus Read(string pidDirectory, List<ProcThread> into, int limit, out bool truncated)
    {
        truncated = false;
        var taskDirectory = Path.Join(pidDirectory, "task");
        List<int> tids;
        try
        {
            tids = [.. new FileSystemEnumerable<int>(
                taskDirectory,
                static (ref FileSystemEntry e) => int.TryParse(e.FileName, out var tid) ? tid : 0,
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

        tids.Sort();
        Span<byte> buffer = stackalloc byte[1024];
        foreach (var tid in tids)
        {
            if (tid <= 0)
            {
                continue;
            }

            if (into.Count >= limit)
            {
                truncated = true;
                break;
            }

            var path = Path.Join(taskDirectory, tid.ToString(System.Globalization.CultureInfo.InvariantCulture), "stat");
            if (ProcFileReader.Read(path, buffer, out var n) == ProcReadStatus.Ok && TryParse(buffer[..n], out var thread))
            {
                into.Add(thread);
            }
        }

        return ProcReadStatus.Ok;
    }

    /// <summary>Parses one <c>task/&lt;tid&gt;/stat</c> line.</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out ProcThread thread)
    {
        thread = default;
        if (!ProcStat.TryParse(text, out var stat, out var comm))
        {
            return false;
        }

        // Thread names are bytes set by the program (prctl/pthread_setname_np): not necessarily UTF-8.
        thread = new ProcThread(stat.Pid, Encoding.UTF8.GetString(comm), stat.State, stat.UserTicks, stat.SystemTicks);
        return true;
    }
}
