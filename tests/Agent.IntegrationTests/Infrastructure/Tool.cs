using System.Diagnostics;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>Runs a command-line tool to completion and returns its exit code and output.</summary>
internal static class Tool
{
    public static async Task<(int ExitCode, string Output)> Run(string file, IEnumerable<string> args, string? workingDirectory = null, TimeSpan? deadline = null)
    {
        var psi = new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Repo.Root,
        };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(deadline ?? TimeSpan.FromMinutes(3));
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, await stdout + await stderr);
    }
}
