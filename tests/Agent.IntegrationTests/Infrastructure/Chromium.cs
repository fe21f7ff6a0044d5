using System.Diagnostics;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>
/// Debian's chromium, headless, as a real browser for the status page (test.sh installs it). Each
/// run gets a fresh profile and no network beyond the URL given: no sync, no component updates,
/// no QUIC, no first-run tasks.
/// </summary>
internal static class Chromium
{
    public const string Executable = "/usr/bin/chromium";

    private static readonly string[] Flags =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
    ];

    /// <summary>The DOM after the page loaded, as the browser serialises it.</summary>
    public static async Task<string> DumpDom(string url, int? width = null)
    {
        var (code, stdout, stderr) = await Run(["--dump-dom", .. width is { } w ? (string[])[$"--window-size={w},800"] : [], url]);
        return code == 0 ? stdout : throw new InvalidOperationException($"chromium --dump-dom exited with {code}: {stderr}");
    }

    /// <summary>A PNG of the page at the given window size; <paramref name="dark"/> asks for the dark colour scheme.</summary>
    public static async Task Screenshot(string url, string file, int width, int height, bool dark = false)
    {
        string[] args = [$"--screenshot={file}", $"--window-size={width},{height}", .. dark ? (string[])["--force-dark-mode", "--blink-settings=preferredColorScheme=0"] : [], url];
        var (code, _, stderr) = await Run(args);
        if (code != 0 || !File.Exists(file))
        {
            throw new InvalidOperationException($"chromium --screenshot exited with {code}: {stderr}");
        }
    }

    private static async Task<(int Code, string Stdout, string Stderr)> Run(string[] args)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: install the Debian package chromium (test.sh does, as root)");
        }

        var profile = Directory.CreateTempSubdirectory("chromium-profile-").FullName;
        try
        {
            var psi = new ProcessStartInfo(Executable, [.. Flags, $"--user-data-dir={profile}", .. args])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = profile,
            };
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            try
            {
                await p.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException("chromium did not finish within 2 minutes");
            }

            return (p.ExitCode, await stdout, await stderr);
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }
}
