using System.Globalization;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>
/// A real <c>dotnet-counters collect</c> (the NuGet tool, installed once with <c>dotnet tool install
/// --tool-path</c> into ~/.cache/sidecar-agent/tools) attached to a process: another diagnostics
/// tool holding the runtime's metrics source.
/// </summary>
internal sealed class DotnetCounters : IAsyncDisposable
{
    private const string Version = "10.0.750501";
    private static readonly SemaphoreSlim Install = new(1, 1);

    private DotnetCounters(ChildProcess process, string output)
    {
        Process = process;
        Output = output;
    }

    public ChildProcess Process { get; }

    /// <summary>The CSV file it writes its counters to.</summary>
    public string Output { get; }

    public static async Task<DotnetCounters> Collect(int pid, string output)
    {
        var tool = await Tool();
        return new DotnetCounters(ChildProcess.Start(tool, ["collect", "-p", pid.ToString(CultureInfo.InvariantCulture), "-o", output]), output);
    }

    /// <summary>Waits until its file holds values: its session is the runtime's.</summary>
    public Task WaitCollecting() => Poll.Until(
        () => Task.FromResult(File.Exists(Output) && File.ReadLines(Output).Skip(1).Any(l => l.Contains("System.Runtime", StringComparison.Ordinal))),
        TimeSpan.FromSeconds(60),
        "dotnet-counters writes values");

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Terminate();
            await Process.WaitForExit(TimeSpan.FromSeconds(10));
        }

        await Process.DisposeAsync();
    }

    private static async Task<string> Tool()
    {
        var dir = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "sidecar-agent", "tools");
        var path = Path.Combine(dir, "dotnet-counters");
        await Install.WaitAsync();
        try
        {
            if (!File.Exists(path))
            {
                var (code, text) = await Infrastructure.Tool.Run("dotnet", ["tool", "install", "--tool-path", dir, "dotnet-counters", "--version", Version]);
                if (code != 0)
                {
                    throw new InvalidOperationException("dotnet tool install dotnet-counters failed: " + text);
                }
            }
        }
        finally
        {
            Install.Release();
        }

        return path;
    }
}
