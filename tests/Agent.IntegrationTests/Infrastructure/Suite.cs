namespace Agent.IntegrationTests.Infrastructure;

/// <summary>
/// Sizes of the reliability suites: short in CI, long with AGENT_LONG_SUITES=1 (see docs/reliability.md).
/// </summary>
internal static class Suite
{
    public static bool Long => Environment.GetEnvironmentVariable("AGENT_LONG_SUITES") == "1";

    public static int Pick(int ci, int full) => Long ? full : ci;

    /// <summary>Minutes of soak; 0 (the default) skips the soak test's body.</summary>
    public static int SoakMinutes => int.TryParse(Environment.GetEnvironmentVariable("AGENT_SOAK_MINUTES"), out var m) ? m : 0;

    public static long Rss(int pid) => long.Parse(File.ReadAllText($"/proc/{pid}/statm").Split(' ')[1]) * Environment.SystemPageSize;

    public static int Threads(int pid) => Directory.GetDirectories($"/proc/{pid}/task").Length;

    public static int Fds(int pid) => Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length;

    /// <summary>Established TCP connections the process holds, counted by the kernel (<c>ss</c>), not by the agent.</summary>
    public static int Established(int pid)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("ss", ["-Htnp", "state", "established"]) { RedirectStandardOutput = true };
        using var ss = System.Diagnostics.Process.Start(psi)!;
        var text = ss.StandardOutput.ReadToEnd();
        ss.WaitForExit();
        return text.Split('\n').Count(l => l.Contains($"pid={pid},", StringComparison.Ordinal));
    }
}
