using System.Diagnostics;
using System.Text.Json;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>The independent oracle: Debian's python3-psutil reading the same process.</summary>
internal static class Psutil
{
    public static async Task<JsonElement> Read(int pid)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3", [Path.Combine(Repo.Targets, "psutil_probe.py"), pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p = Process.Start(psi)!;
        var stdout = await p.StandardOutput.ReadToEndAsync();
        var stderr = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"psutil probe failed ({p.ExitCode}): {stderr}");
        }

        return JsonDocument.Parse(stdout).RootElement.Clone();
    }
}
