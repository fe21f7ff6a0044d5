using System.Globalization;
using System.Text;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>
/// The kernel's own accounting of one process, read from <c>/proc/&lt;pid&gt;/stat</c> by string
/// splitting (not with the agent's parser): the oracle of the lifecycle tests. A reaped child's
/// CPU and page faults are in its reaper's c-fields (<c>cutime</c>, <c>cstime</c>, <c>cminflt</c>,
/// <c>cmajflt</c>), so a root whose children are all reaped holds its whole tree's use.
/// </summary>
internal readonly record struct KernelStat(
    char State, int Ppid, long Utime, long Stime, long Cutime, long Cstime,
    long Minflt, long Cminflt, long Majflt, long Cmajflt, int Threads, ulong StartTicks, byte[] Comm)
{
    /// <summary>CLK_TCK from <c>getconf</c> (FINDINGS: 100 here; read it all the same).</summary>
    public static long ClockTicks { get; } = Getconf("CLK_TCK");

    /// <summary>utime + stime + cutime + cstime: the process and every descendant it reaped, in ticks.</summary>
    public long TreeTicks => Utime + Stime + Cutime + Cstime;

    public double TreeSeconds => (double)TreeTicks / ClockTicks;

    public string CommText => Encoding.UTF8.GetString(Comm);

    public static KernelStat? Read(int pid)
    {
        byte[] raw;
        try
        {
            raw = File.ReadAllBytes($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var open = Array.IndexOf(raw, (byte)'(');
        var close = Array.LastIndexOf(raw, (byte)')');
        var f = Encoding.ASCII.GetString(raw, close + 2, raw.Length - close - 2).Split(' '); // f[0] is field (3)
        long L(int field) => long.Parse(f[field - 3], CultureInfo.InvariantCulture);
        return new KernelStat(
            f[0][0], (int)L(4), L(14), L(15), L(16), L(17), L(10), L(11), L(12), L(13), (int)L(20),
            ulong.Parse(f[22 - 3], CultureInfo.InvariantCulture), raw[(open + 1)..close]);
    }

    private static long Getconf(string name)
    {
        using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("getconf", name) { RedirectStandardOutput = true })!;
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return long.Parse(text.Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>Pids of the live (not zombie) children of a process, from every process's stat.</summary>
    public static List<int> Children(int parent)
    {
        var result = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && Read(pid) is { } s && s.Ppid == parent && s.State != 'Z')
            {
                result.Add(pid);
            }
        }

        return result;
    }
}
