using System.Globalization;
using System.Text;
using Agent.Procfs;

namespace Agent.Sampling;

/// <summary>
/// The process named by a pid file, if it could have written it: a process that started after the
/// file was last written (its writer exited, the pid was reused) makes the file stale.
/// </summary>
internal sealed class PidFileSelector(string path) : TargetSelector
{
    /// <summary>Start times are in clock ticks and <c>/proc/uptime</c> in hundredths: a start this close to the write is not stale.</summary>
    private const int SlackTicks = 2;

    public override string Description => $"pidfile={path}";

    public override Selection Select(SelectionContext context)
    {
        string text;
        DateTimeOffset written;
        try
        {
            // A pid file is a few bytes; anything much larger is not a pid file. Its time is
            // taken from the same open file as its content.
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
            var buffer = new byte[64];
            var n = RandomAccess.Read(handle, buffer, 0);
            text = Encoding.ASCII.GetString(buffer, 0, n).Trim();
            written = File.GetLastWriteTimeUtc(handle);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Selection.NotFound($"pid file {path} is not readable ({e.GetType().Name})");
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 0)
        {
            return Selection.NotFound($"pid file {path} does not hold a pid");
        }

        Span<byte> stat = stackalloc byte[1024];
        if (context.Fs.Process(pid).ReadStat(stat, out var process, out var comm) != ProcReadStatus.Ok || !process.IsAlive)
        {
            return Selection.NotFound($"process {pid} from {path} does not exist");
        }

        // Compared on the boot clock of start times; the file's time is the wall clock's, so the
        // real clock places it (a test's fake clock would not).
        var system = context.System;
        if (system.BootTicksAgo(TimeProvider.System.GetUtcNow() - written) is { } writtenTicks && process.StartTimeTicks > writtenTicks + SlackTicks)
        {
            var started = written + TimeSpan.FromSeconds((double)(process.StartTimeTicks - writtenTicks) / system.ClockTicksPerSecond);
            return Selection.NotFound(string.Create(CultureInfo.InvariantCulture,
                $"pid file {path} is stale: written {written.UtcDateTime:yyyy-MM-dd HH:mm:ss.ff}Z, but process {pid} ({Encoding.UTF8.GetString(comm)}) started after it ({started.UtcDateTime:HH:mm:ss.ff}Z): the process that wrote it is gone and its pid was reused"));
        }

        return Selection.Found(pid);
    }
}
