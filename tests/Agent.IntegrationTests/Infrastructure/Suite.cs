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
}
