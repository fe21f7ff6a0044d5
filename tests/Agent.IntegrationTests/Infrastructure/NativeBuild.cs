using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>
/// The shipped build, the agent under test: published with scripts/publish-native.sh (the command
/// the Dockerfile runs) once per change of its sources and shared by every test that starts the
/// agent. The output lands in <c>artifacts/native/&lt;hash&gt;/</c>, keyed by a hash of everything
/// the publish reads (src/, the props files, global.json, the publish script, the Dockerfile), so a
/// second run of an unchanged checkout starts at once instead of paying the ~40 s–3 min publish.
/// </summary>
internal static class NativeBuild
{
    private static readonly Lazy<Task<Build>> Published = new(Publish);

    public static Task<Build> Get() => Published.Value;

    /// <summary>The native binary's path (publishing it first if this checkout's sources have no build yet).</summary>
    public static async Task<string> Binary() => (await Get()).Binary;

    /// <summary>Where the builds of this checkout are kept (one directory per source hash).</summary>
    public static string CacheRoot => Path.Combine(Repo.Root, "artifacts", "native");

    private static async Task<Build> Publish()
    {
        var key = SourceHash();
        var dir = Path.Combine(CacheRoot, key);
        var binary = Path.Combine(dir, Path.GetFileName(ShippedDockerfile.Entrypoint));
        var log = Path.Combine(dir, "publish.log");
        var commitFile = Path.Combine(dir, "commit");
        Directory.CreateDirectory(CacheRoot);
        // One publish at a time per checkout: two test runs side by side would share src/Agent/obj.
        await using var gate = await Lock(Path.Combine(CacheRoot, ".lock"));
        if (File.Exists(binary) && File.Exists(log) && File.Exists(commitFile))
        {
            return new Build(binary, await File.ReadAllTextAsync(log), Commit(await File.ReadAllTextAsync(commitFile)));
        }

        // The commit the SDK stamps into the binary's version: the checkout's HEAD at publish time.
        // A later commit that changes no source reuses this build, and `--version` keeps naming it.
        var (git, head) = await Tool.Run("git", ["rev-parse", "HEAD"]);
        var commit = git == 0 ? head.Trim() : "";

        var staging = Path.Combine(CacheRoot, $"staging-{Guid.NewGuid():N}");
        // The Dockerfile's own arguments, with its output directory replaced by ours. At normal
        // priority: under `nice -n 19` beside `stress-ng --cpu 2` the compiler got 5 s of CPU in
        // 171 s and the suite never finished; the timing tests' bounds already allow for busy cores.
        string[] args = [Path.Combine(Repo.Root, "scripts", "publish-native.sh"), staging, .. ShippedDockerfile.PublishArguments.Skip(1)];
        var psi = new ProcessStartInfo("bash", args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repo.Root,
        };
        // Intermediate files of its own (MSBuild reads the environment as properties): a build of
        // the checkout running meanwhile (a developer's, the next `dotnet test`) shares no obj/
        // with the publish, and the publish's RID-specific restore leaves src/Agent/obj alone.
        // src/Agent/obj is then an ordinary folder to the SDK's globs: its generated .cs files must
        // not be compiled a second time (the SDK appends its own excludes to this value).
        psi.Environment["BaseIntermediateOutputPath"] = Path.Combine(CacheRoot, "obj") + Path.DirectorySeparatorChar;
        psi.Environment["DefaultItemExcludes"] = "obj/**";
        using var publish = Process.Start(psi)!;
        var stdout = publish.StandardOutput.ReadToEndAsync();
        var stderr = publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync();
        var output = await stdout + "\n" + await stderr;
        if (publish.ExitCode != 0)
        {
            throw new InvalidOperationException("publish failed: " + output);
        }

        await File.WriteAllTextAsync(Path.Combine(staging, "publish.log"), output);
        await File.WriteAllTextAsync(Path.Combine(staging, "commit"), commit);
        // Builds of older sources are not needed again (each is ~100 MB with its symbols).
        foreach (var old in Directory.GetDirectories(CacheRoot).Where(d => Path.GetFileName(d) != "obj" && d != staging))
        {
            Directory.Delete(old, recursive: true);
        }

        Directory.Move(staging, dir);
        return new Build(binary, output, Commit(commit));
    }

    private static string? Commit(string text) => text.Trim() is { Length: > 0 } c ? c : null;

    /// <summary>
    /// SHA-256 over the relative path and bytes of every file the publish reads; bin/ and obj/ are
    /// outputs, not inputs.
    /// </summary>
    internal static string SourceHash()
    {
        var files = Directory.EnumerateFiles(Path.Combine(Repo.Root, "src"), "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(Repo.Root, f).Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Concat(new[] { "global.json", "Directory.Build.props", "Directory.Packages.props", ".editorconfig", "Dockerfile", "scripts/publish-native.sh" }
                .Select(f => Path.Combine(Repo.Root, f))
                .Where(File.Exists))
            .Select(f => Path.GetRelativePath(Repo.Root, f))
            .Order(StringComparer.Ordinal);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(file + "\0"));
            sha.AppendData(File.ReadAllBytes(Path.Combine(Repo.Root, file)));
            sha.AppendData("\0"u8);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset())[..16];
    }

    private static async Task<FileStream> Lock(string path)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (deadline.Elapsed < TimeSpan.FromMinutes(40))
            {
                // Another test run of this checkout is publishing: wait for its lock (it ends with its publish).
                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }
        }
    }

    /// <summary>A published binary, the publish command's output and the commit it was built from (null outside git).</summary>
    internal sealed record Build(string Binary, string Output, string? Commit);
}
