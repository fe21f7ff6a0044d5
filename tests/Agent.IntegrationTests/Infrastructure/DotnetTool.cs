using System.Collections.Concurrent;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>
/// A .NET tool from NuGet used as an independent oracle (dotnet-dump), installed once per version
/// into ~/.cache/sidecar-agent/&lt;tool&gt;-&lt;version&gt; (`dotnet tool install --tool-path`), as
/// scripts/mutation-score.sh installs dotnet-stryker.
/// </summary>
internal static class DotnetTool
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> Installed = new();

    public static Task<string> Path(string tool, string version) =>
        Installed.GetOrAdd($"{tool}-{version}", key => new Lazy<Task<string>>(() => Install(tool, version, key))).Value;

    private static async Task<string> Install(string tool, string version, string key)
    {
        var dir = System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "sidecar-agent", key);
        var exe = System.IO.Path.Combine(dir, tool);
        if (!File.Exists(exe))
        {
            var (code, output) = await Tool.Run("dotnet", ["tool", "install", "--tool-path", dir, tool, "--version", version], deadline: TimeSpan.FromMinutes(10));
            if (code != 0 && !File.Exists(exe))
            {
                throw new InvalidOperationException($"dotnet tool install {tool} {version} failed: {output}");
            }
        }

        return exe;
    }
}
