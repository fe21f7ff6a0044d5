using System.Globalization;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>Facts about a process read straight from the kernel's files, for comparing with what the agent exports.</summary>
internal static class Kernel
{
    /// <summary>Start time in Unix seconds: stat's starttime (field 22) ÷ CLK_TCK (getconf) + /proc/stat's btime.</summary>
    public static async Task<double> StartTime(int pid)
    {
        var ticks = double.Parse((await Tool.Run("getconf", ["CLK_TCK"])).Output.Trim(), CultureInfo.InvariantCulture);
        var stat = await File.ReadAllTextAsync($"/proc/{pid}/stat");
        var starttime = double.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19], CultureInfo.InvariantCulture);
        var btime = double.Parse(File.ReadAllLines("/proc/stat").Single(l => l.StartsWith("btime ", StringComparison.Ordinal))[6..], CultureInfo.InvariantCulture);
        return btime + (starttime / ticks);
    }

    /// <summary>The soft "Max open files" limit of /proc/&lt;pid&gt;/limits.</summary>
    public static double MaxOpenFiles(int pid) =>
        double.Parse(File.ReadLines($"/proc/{pid}/limits").Single(l => l.StartsWith("Max open files", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[3], CultureInfo.InvariantCulture);
}
