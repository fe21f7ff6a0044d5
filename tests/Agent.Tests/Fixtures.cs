namespace Agent.Tests;

/// <summary>Captured /proc files under tests/fixtures/proc (copied next to the test assembly).</summary>
internal static class Fixtures
{
    public static byte[] Proc(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "proc", name));

    public static string ProcText(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "proc", name));

    /// <summary>A fixture tree under tests/fixtures/cgroup (a fake filesystem root).</summary>
    public static string CgroupTree(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "cgroup", name);
}
