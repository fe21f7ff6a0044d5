using System.Reflection;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>Paths inside the checkout the tests run from.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: the agent is built in the same configuration as the tests.</summary>
    public static string Configuration { get; } =
        typeof(Repo).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static string AgentDll => Path.Combine(Root, "src", "Agent", "bin", Configuration, "net10.0", "agent.dll");

    public static string Targets => Path.Combine(AppContext.BaseDirectory, "targets");

    /// <summary>This run's results folder: ./test.sh names it in AGENT_TEST_RESULTS (TestResults/&lt;run&gt;); a bare `dotnet test`, TestResults/.</summary>
    public static string Results => Environment.GetEnvironmentVariable("AGENT_TEST_RESULTS") is { Length: > 0 } dir ? dir : Path.Combine(Root, "TestResults");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Agent.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Agent.sln not found above " + AppContext.BaseDirectory);
    }
}
