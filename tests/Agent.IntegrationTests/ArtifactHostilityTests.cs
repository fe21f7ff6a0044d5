using System.Net;
using System.Text.Json;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

/// <summary>
/// Captures that never lie or litter, on real filesystems: a tmpfs that runs out of space (its
/// inodes: the kernel's own ENOSPC, "No space left on device"), a directory the agent's user cannot
/// create (parent mode 555, agent run as nobody by runuser) and a read-only bind mount, a data file
/// deleted under the agent, and what a crashed or corrupted previous run left behind.
/// </summary>
public sealed class ArtifactHostilityTests : IAsyncLifetime
{
    private const string Token = "artifact-hostility-token-0123456789";
    private readonly string _dir = Directory.CreateTempSubdirectory("artifact-hostility-").FullName;
    private readonly List<string> _mounts = [];

    public Task InitializeAsync() => Tool.Run("chmod", ["755", _dir]); // the nobody agent may traverse it

    public async Task DisposeAsync()
    {
        foreach (var mount in Enumerable.Reverse(_mounts))
        {
            await Tool.Run("umount", [mount]);
        }

        Directory.Delete(_dir, recursive: true);
    }

    private async Task<string> Mount(string path, params string[] args)
    {
        Directory.CreateDirectory(path);
        var (code, text) = await Tool.Run("mount", [.. args, path]);
        Assert.True(code == 0, $"mount {string.Join(' ', args)} {path}: {text}");
        _mounts.Add(path);
        return path;
    }

    private static Task<AgentProcess> StartAgent(string directory, IReadOnlyList<string>? launcher = null, Dictionary<string, string>? extra = null) =>
        AgentProcess.Start(
            new Dictionary<string, string>
            {
                ["Target:Pid"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Readiness:RequireTarget"] = "false",
                ["Security:DiagnosticsToken"] = Token,
                ["Diagnostics:Directory"] = directory,
                ["Diagnostics:MinFreeBytes"] = "0",
            }.Concat(extra ?? []).ToDictionary(),
            launcher: launcher);

    private static HttpClient Authorized(AgentProcess agent)
    {
        var http = new HttpClient { BaseAddress = agent.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", Token);
        return http;
    }

    private static async Task<JsonElement> Listing(HttpClient http) =>
        JsonDocument.Parse(await http.GetStringAsync("/diag/artifacts")).RootElement.Clone();

    private static async Task<JsonElement> Finished(HttpClient http, string id) => await Poll.Until(
        async () => (await Listing(http)).EnumerateArray().FirstOrDefault(e => e.GetProperty("id").GetString() == id) is { ValueKind: JsonValueKind.Object } e && e.GetProperty("state").GetString() != "running" ? e : (JsonElement?)null,
        TimeSpan.FromSeconds(30),
        $"artifact {id} finished") ?? default;

    [Fact]
    public async Task A_capture_failing_on_a_full_tmpfs_keeps_its_real_error_across_a_restart_and_leaves_no_temp_file()
    {
        // Three inodes: the root, the artifacts directory and the capture's entry; the data file has none left.
        var fs = await Mount(Path.Combine(_dir, "full"), "-t", "tmpfs", "-o", "size=4m,nr_inodes=3", "tmpfs");
        var directory = Path.Combine(fs, "artifacts");
        string id;
        await using (var agent = await StartAgent(directory))
        {
            using var http = Authorized(agent);
            using var started = await http.PostAsync("/diag/snapshot", null);
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
            id = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
            var failed = await Finished(http, id);
            Assert.Equal("failed", failed.GetProperty("state").GetString());
            Assert.Contains("No space left on device", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        Assert.Empty(Directory.EnumerateFiles(directory, "*.tmp", new EnumerationOptions { AttributesToSkip = 0 }));
        await using (var restarted = await StartAgent(directory))
        {
            using var http = Authorized(restarted);
            var entry = (await Listing(http)).EnumerateArray().Single(e => e.GetProperty("id").GetString() == id);
            Assert.Equal("failed", entry.GetProperty("state").GetString());
            Assert.Contains("No space left on device", entry.GetProperty("error").GetString(), StringComparison.Ordinal); // not "the agent stopped during the capture"
        }
    }

    [Fact]
    public async Task A_directory_the_agent_cannot_use_is_named_in_every_refusal()
    {
        // As nobody: the parent is root's, mode 555, so Diagnostics:Directory cannot be created.
        var parent = Directory.CreateDirectory(Path.Combine(_dir, "locked")).FullName;
        await Tool.Run("chmod", ["555", parent]);
        var uncreatable = Path.Combine(parent, "artifacts");
        // As root: a read-only bind mount, so the directory exists and nothing can be written in it.
        var readOnly = Directory.CreateDirectory(Path.Combine(_dir, "ro")).FullName;
        await Mount(readOnly, "--bind", readOnly);
        var (code, text) = await Tool.Run("mount", ["-o", "remount,ro,bind", readOnly]);
        Assert.True(code == 0, "remount ro: " + text);

        foreach (var (directory, launcher, error) in new[] { (uncreatable, (string[]?)["runuser", "-u", "nobody", "--"], "Permission denied"), (readOnly, null, "Read-only file system") })
        {
            await using var agent = await StartAgent(directory, launcher);
            using var http = Authorized(agent);
            foreach (var kind in new[] { "snapshot", "snapshot" })
            {
                using var r = await http.PostAsync($"/diag/{kind}", null);
                var body = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
                Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
                Assert.Equal("directory_unusable", body.GetProperty("reason").GetString());
                Assert.Contains(directory, body.GetProperty("error").GetString(), StringComparison.Ordinal);
                Assert.Contains(error, body.GetProperty("error").GetString(), StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task A_deleted_file_is_404_and_marked_missing_and_what_a_bad_run_left_is_listed_counted_and_swept()
    {
        var directory = Directory.CreateDirectory(Path.Combine(_dir, "artifacts")).FullName;
        // Left by an earlier run: a temp file of an interrupted entry write, and a data file whose entry is corrupt (2 hours old).
        File.WriteAllText(Path.Combine(directory, ".20261206-100000-snapshot-aaaaaa.1a2b3c.tmp"), "{\"id\":");
        var orphan = Path.Combine(directory, "20261206-100000-snapshot-bbbbbb.json");
        File.WriteAllBytes(orphan, new byte[12345]);
        File.WriteAllText(Path.Combine(directory, "20261206-100000-snapshot-bbbbbb.entry.json"), "{corrupt");
        File.SetLastWriteTimeUtc(orphan, DateTime.UtcNow.AddHours(-2));

        await using var agent = await StartAgent(directory, extra: new() { ["Diagnostics:Retention"] = "01:00:00" });
        using var http = Authorized(agent);
        Assert.Empty(Directory.EnumerateFiles(directory, ".*.tmp"));
        var listed = (await Listing(http)).EnumerateArray().Single(e => e.GetProperty("id").GetString() == "20261206-100000-snapshot-bbbbbb");
        Assert.Equal(12345, listed.GetProperty("bytes").GetInt64());
        Assert.StartsWith("orphan:", listed.GetProperty("error").GetString(), StringComparison.Ordinal);

        // A capture: reserving it applies Retention, which sweeps the 2-hour-old orphan.
        using var started = await http.PostAsync("/diag/snapshot", null);
        var id = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        Assert.Equal("done", (await Finished(http, id)).GetProperty("state").GetString());
        Assert.False(File.Exists(orphan), "the orphan is deleted by Retention");
        Assert.DoesNotContain((await Listing(http)).EnumerateArray(), e => e.GetProperty("id").GetString() == "20261206-100000-snapshot-bbbbbb");

        // Its file deleted outside the agent: 404 with the reason, and the entry says missing.
        File.Delete(Directory.EnumerateFiles(directory, id + ".json").Single());
        using var download = await http.GetAsync($"/diag/artifacts/{id}");
        Assert.Equal(HttpStatusCode.NotFound, download.StatusCode);
        Assert.Equal("missing", JsonDocument.Parse(await download.Content.ReadAsStringAsync()).RootElement.GetProperty("reason").GetString());
        Assert.Equal("missing", (await Listing(http)).EnumerateArray().Single(e => e.GetProperty("id").GetString() == id).GetProperty("state").GetString());
    }
}
