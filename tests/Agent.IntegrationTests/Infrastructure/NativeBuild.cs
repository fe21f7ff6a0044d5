using System.Diagnostics;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>
/// The shipped build, published once per test run with scripts/publish-native.sh (the command the
/// Dockerfile runs) and shared by the tests that must measure the real thing.
/// </summary>
internal static class NativeBuild
{
    private static readonly Lazy<Task<(string Binary, string Output)>> Published = new(Publish);

    public static Task<(string Binary, string Output)> Get() => Published.Value;

    private static async Task<(string Binary, string Output)> Publish()
    {
        var dir = Directory.CreateTempSubdirectory("aot-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(dir, recursive: true);
        // The Dockerfile's own arguments, with its output directory replaced by ours. At normal
        // priority: under `nice -n 19` beside `stress-ng --cpu 2` the compiler got 5 s of CPU in
        // 171 s and the suite never finished; the timing tests' bounds already allow for busy cores.
        string[] args = [Path.Combine(Repo.Root, "scripts", "publish-native.sh"), dir, .. ShippedDockerfile.PublishArguments.Skip(1)];
        var psi = new ProcessStartInfo("bash", args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repo.Root,
        };
        using var publish = Process.Start(psi)!;
        var stdout = publish.StandardOutput.ReadToEndAsync();
        var stderr = publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync();
        var output = await stdout + "\n" + await stderr;
        if (publish.ExitCode != 0)
        {
            throw new InvalidOperationException("publish failed: " + output);
        }

        return (Path.Combine(dir, Path.GetFileName(ShippedDockerfile.Entrypoint)), output);
    }
}
