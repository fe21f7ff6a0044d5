using System.Net;
using System.Text.RegularExpressions;
using Agent.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Agent.IntegrationTests;

/// <summary>
/// Every <c>```sh</c> block of README.md runs as written, read from the README itself at test time
/// (a changed README changes the test). A section's blocks run in order in one scratch directory
/// that holds a copy of the checkout's tracked files and the published binary as <c>./agent</c>:
/// a command that starts the agent keeps running in the background (as "in the foreground, then a
/// second terminal" reads) and must answer <c>/health</c>; with a trigger it must fire; <c>check</c>
/// must end with its report and a code the README gives (0 or 1, never 2: the configuration the
/// README shows is valid); any other command must exit 0. A background job (<c>&amp;</c>) keeps
/// running, and the file it writes must appear before the next command.
/// </summary>
/// <remarks>
/// Two substitutions, both stated here: <c>dotnet run --project src/Agent [--]</c> runs the
/// published binary (the README says they take the same arguments; StartupFailureTests runs
/// <c>dotnet run</c> itself), and each started agent gets a free port through
/// <c>ASPNETCORE_URLS</c> (the README's table documents it), with <c>localhost:9464</c> in later
/// commands pointed at the agent started last — the suite runs beside other agents.
/// </remarks>
public sealed partial class ReadmeRecipeTests(ITestOutputHelper output)
{
    private const string DefaultAddress = "localhost:9464";

    public static TheoryData<string> Sections()
    {
        var data = new TheoryData<string>();
        foreach (var section in ReadmeBlocks.Sections().Where(s => s.Commands.Count > 0))
        {
            data.Add(section.Title);
        }

        return data;
    }

    [Fact]
    public void The_readme_has_the_run_and_test_commands_and_this_test_sees_them()
    {
        var sections = ReadmeBlocks.Sections().ToDictionary(s => s.Title);
        Assert.Contains("dotnet run --project src/Agent", sections["Run it"].Commands);
        Assert.Equal(["./test.sh"], sections["Test it"].Commands);
    }

    [Theory]
    [MemberData(nameof(Sections))]
    public async Task Every_shell_block_runs_as_written(string title)
    {
        var section = ReadmeBlocks.Sections().Single(s => s.Title == title);
        var scratch = Directory.CreateTempSubdirectory("readme-").FullName;
        var running = new List<ChildProcess>();
        try
        {
            File.CreateSymbolicLink(Path.Combine(scratch, "agent"), await NativeBuild.Binary());
            // A clone's files (the checkout's tracked files as they are now), copied: a build in the
            // scratch directory (the .NET leak demo's 'dotnet build') must not write into the
            // checkout's own bin/ and obj/ through a link.
            var (git, listed) = await Tool.Run("git", ["ls-files", "-z"]);
            Assert.Equal(0, git);
            foreach (var file in listed.Split('\0', StringSplitOptions.RemoveEmptyEntries).Where(f => new FileInfo(Path.Combine(Repo.Root, f)) is { Exists: true, LinkTarget: null }))
            {
                var to = Path.Combine(scratch, file);
                Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                File.Copy(Path.Combine(Repo.Root, file), to);
            }

            int? lastPort = null;
            foreach (var written in section.Commands)
            {
                output.WriteLine($"$ {written}");
                if (written == "./test.sh")
                {
                    continue; // the suite itself, running now
                }

                var command = AgentCommand().Replace(written, "./agent");
                if (StartsAgent(command) && !IsCheck(command))
                {
                    var port = Net.FreePort();
                    var agent = ChildProcess.Start("bash", ["-c", command], Urls(port), scratch);
                    running.Add(agent);
                    lastPort = port;
                    using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
                    await Poll.Until(
                        async () => agent.HasExited ? throw new InvalidOperationException($"'{written}' exited {agent.ExitCode}: {agent.Stderr}") : await Healthy(http),
                        TimeSpan.FromSeconds(60),
                        $"/health of '{written}'");
                    foreach (Match trigger in TriggerName().Matches(command).DistinctBy(m => m.Groups[1].Value))
                    {
                        var name = trigger.Groups[1].Value;
                        await Poll.Until(
                            async () => Exposition.Parse(await http.GetStringAsync("/metrics")).Any(s => s.Name == "agent_trigger_firings_total" && s["trigger"] == name && s.Value >= 1),
                            TimeSpan.FromSeconds(120),
                            $"trigger {name} of '{written}' fires (stderr: {agent.Stderr})");
                    }
                }
                else if (IsCheck(command))
                {
                    var (code, text) = await Run(command, Urls(Net.FreePort()), scratch);
                    Assert.True(code is 0 or 1, $"'{written}' exited {code} (2 is a configuration error): {text}");
                    Assert.Matches(@"result: \w+ \(exit [01]\)|""result""", text);
                }
                else if (BackgroundJob().IsMatch(command))
                {
                    running.Add(ChildProcess.Start("bash", ["-c", command + "\nwait"], null, scratch));
                    foreach (Match file in WrittenFile().Matches(command))
                    {
                        var path = Path.Combine(scratch, file.Groups[1].Value);
                        await Poll.Until(() => File.Exists(path) && new FileInfo(path).Length > 0, TimeSpan.FromSeconds(30), $"'{written}' writes {file.Groups[1].Value}");
                    }
                }
                else
                {
                    Assert.True(lastPort is not null || !command.Contains(DefaultAddress, StringComparison.Ordinal), $"'{written}' asks an agent the section never started");
                    var (code, text) = await Run(command.Replace(DefaultAddress, $"127.0.0.1:{lastPort}", StringComparison.Ordinal), null, scratch);
                    Assert.True(code == 0 && text.Length > 0, $"'{written}' exited {code}: {text}");
                }
            }
        }
        finally
        {
            foreach (var p in running)
            {
                p.Kill();
                await p.DisposeAsync();
            }

            Directory.Delete(scratch, recursive: true);
        }
    }

    private static bool StartsAgent(string command) => AgentInvocation().IsMatch(command);

    private static bool IsCheck(string command) => StartsAgent(command) && CheckVerb().IsMatch(command);

    private static Dictionary<string, string?> Urls(int port) => new() { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}" };

    private static async Task<bool> Healthy(HttpClient http)
    {
        try
        {
            return (await http.GetAsync("/health")).StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }

    private static async Task<(int Code, string Output)> Run(string command, Dictionary<string, string?>? env, string directory)
    {
        await using var p = ChildProcess.Start("bash", ["-c", command], env, directory);
        var code = await p.WaitForExit(TimeSpan.FromSeconds(90));
        return (code, p.Stdout + p.Stderr);
    }

    [GeneratedRegex(@"dotnet run --project src/Agent(?: --)?")]
    private static partial Regex AgentCommand();

    [GeneratedRegex(@"(?:^|\s)\./agent(?:\s|$)")]
    private static partial Regex AgentInvocation();

    [GeneratedRegex(@"\./agent\s+check(?:\s|$)")]
    private static partial Regex CheckVerb();

    [GeneratedRegex(@"--Triggers:(\w+):")]
    private static partial Regex TriggerName();

    [GeneratedRegex(@"[^&]&\s")]
    private static partial Regex BackgroundJob();

    [GeneratedRegex(@">\s*([\w.-]+)")]
    private static partial Regex WrittenFile();
}

/// <summary>The README's <c>```sh</c> blocks by section (##/### heading), one entry per command line.</summary>
internal static partial class ReadmeBlocks
{
    public sealed record Section(string Title, List<string> Commands);

    public static IEnumerable<Section> Sections()
    {
        var lines = File.ReadAllLines(Path.Combine(Repo.Root, "README.md"));
        Section? current = null;
        var inShell = false;
        string? pending = null;
        foreach (var line in lines)
        {
            if (!inShell && line.StartsWith('#') && Heading().Match(line) is { Success: true } h)
            {
                if (current is not null)
                {
                    yield return current;
                }

                current = new Section(h.Groups[1].Value.Trim(), []);
                continue;
            }

            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inShell = !inShell && line.Trim() == "```sh";
                continue;
            }

            if (!inShell || current is null)
            {
                continue;
            }

            var text = (pending is null ? "" : pending + " ") + line.Trim();
            if (text.EndsWith('\\'))
            {
                pending = text[..^1].TrimEnd();
                continue;
            }

            pending = null;
            var command = Comment().Replace(text, "").Trim();
            if (command.Length > 0)
            {
                current.Commands.Add(command);
            }
        }

        if (current is not null)
        {
            yield return current;
        }
    }

    [GeneratedRegex(@"^#{2,3}\s+(.+)$")]
    private static partial Regex Heading();

    /// <summary>A comment: '#' at the start or after whitespace (the README's commands quote no '#').</summary>
    [GeneratedRegex(@"(?:^|\s+)#.*$")]
    private static partial Regex Comment();
}
