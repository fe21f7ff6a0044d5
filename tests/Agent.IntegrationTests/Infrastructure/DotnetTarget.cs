using System.Globalization;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>The small .NET target (tests/DotnetTarget), driven over stdin, reporting its own GC state.</summary>
internal sealed class DotnetTarget : IAsyncDisposable
{
    private DotnetTarget(ChildProcess process) => Process = process;

    public ChildProcess Process { get; }

    public int Pid => Process.Pid;

    public static string Dll => Path.Combine(Repo.Root, "tests", "DotnetTarget", "bin", Repo.Configuration, "net10.0", "DotnetTarget.dll");

    /// <summary>
    /// A command-line pattern that matches the targets started with <paramref name="tag"/> and no
    /// other: tests run two at a time, and a bare <c>DotnetTarget\.dll</c> pattern let one test's
    /// agent follow (and open an EventPipe session on) another test's target.
    /// </summary>
    public static string PatternFor(string tag) => $@"DotnetTarget\.dll --tag {tag}\b";

    public static async Task<DotnetTarget> Start(IDictionary<string, string?>? env = null, bool waitReady = true, string? tag = null)
    {
        var t = new DotnetTarget(ChildProcess.Start("dotnet", tag is null ? [Dll] : [Dll, "--tag", tag], env));
        if (waitReady)
        {
            await t.Process.WaitForOutput("ready", TimeSpan.FromSeconds(60)); // a JIT start took > 30 s at load average ~40
        }

        return t;
    }

    /// <summary>Sends a command and returns the target's own report: gen0, gen1, gen2, heap, allocated.</summary>
    public async Task<Dictionary<string, long>> Command(string command)
    {
        var before = Process.Stdout.Split('\n').Count(l => l.StartsWith("state ", StringComparison.Ordinal));
        await Process.WriteLine(command);
        await Poll.Until(() => Process.Stdout.Split('\n').Count(l => l.StartsWith("state ", StringComparison.Ordinal)) > before, TimeSpan.FromSeconds(10), "target answered " + command);
        var line = Process.Stdout.Split('\n').Last(l => l.StartsWith("state ", StringComparison.Ordinal));
        return line.Trim().Split(' ').Skip(1).Select(p => p.Split('=')).ToDictionary(p => p[0], p => long.Parse(p[1], CultureInfo.InvariantCulture));
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
