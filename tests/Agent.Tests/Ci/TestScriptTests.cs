using System.Text.RegularExpressions;

namespace Agent.Tests.Ci;

/// <summary>
/// test.sh installs what the tests call on a fresh Debian machine, and the README lists what test.sh
/// installs. The tools are read from the test sources (the program of every Tool.Run,
/// ChildProcess.Start, Process.Start and ProcessStartInfo), so a test calling a new tool fails here
/// until the tool's package is in test.sh.
/// </summary>
public partial class TestScriptTests
{
    // Tool → the Debian package that ships it. "base" is in every Debian system (Essential or
    // priority required: coreutils, bash, util-linux's runuser and libc-bin's getconf come with it).
    private static readonly Dictionary<string, string> Packages = new(StringComparer.Ordinal)
    {
        ["sh"] = "base", ["bash"] = "base", ["sleep"] = "base", ["cp"] = "base", ["ln"] = "base", ["mkfifo"] = "base",
        ["stat"] = "base", ["kill"] = "procps", ["getconf"] = "base", ["id"] = "base", ["dotnet"] = "the .NET SDK (global.json)",
        ["runuser"] = "util-linux", ["unshare"] = "util-linux", ["nsenter"] = "util-linux", ["setpriv"] = "util-linux",
        ["python3"] = "python3-psutil", ["redis-server"] = "redis-server", ["redis-cli"] = "redis-server", ["psql"] = "postgresql",
        ["prometheus"] = "prometheus", ["promtool"] = "prometheus", ["systemd-analyze"] = "systemd", ["curl"] = "curl",
        ["openssl"] = "openssl", ["ss"] = "iproute2", ["ip"] = "iproute2", ["git"] = "git", ["node"] = "nodejs", ["npm"] = "npm",
        ["strace"] = "strace", ["chmod"] = "base", ["mount"] = "mount", ["umount"] = "mount",
        ["tini"] = "tini", ["dumb-init"] = "dumb-init", ["chromium"] = "chromium", ["gunicorn"] = "gunicorn", ["go"] = "golang-go",
    };

    // Called by a path built at run time or inside a shell script, named here with where:
    // ReadmePromiseTests (ip, ss, curl in `unshare --net sh -c`), Chromium.Executable, the Auto-under-init theory,
    // GunicornTests, SystemdTests' setpriv.
    private static readonly string[] Indirect = ["ip", "ss", "curl", "chromium", "tini", "dumb-init", "gunicorn", "setpriv"];

    private static string Root => Agent.Tests.Fixtures.RepoRoot;

    private static HashSet<string> TestSh()
    {
        var text = File.ReadAllText(Path.Combine(Root, "test.sh"));
        var block = PackagesArray().Match(text);
        Assert.True(block.Success, "test.sh has a packages=( ... ) array");
        var packages = block.Groups["list"].Value.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        packages.UnionWith(["nodejs", "npm"]); // added when no Node is on PATH
        return packages;
    }

    [Fact]
    public void Every_tool_the_tests_start_comes_from_a_package_test_sh_installs()
    {
        var called = Directory.EnumerateFiles(Path.Combine(Root, "tests"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => Started().Matches(File.ReadAllText(f)).Select(m => Path.GetFileName(m.Groups["tool"].Value)))
            .Concat(Indirect)
            .ToHashSet(StringComparer.Ordinal);
        var installed = TestSh();

        Assert.Contains("python3", called); // the scan works
        Assert.Empty(called.Where(t => !Packages.ContainsKey(t)).Select(t => $"{t}: which package? add it to test.sh and to this map"));
        Assert.Empty(called.Select(t => Packages[t]).Where(p => p != "base" && !p.StartsWith("the ", StringComparison.Ordinal) && !installed.Contains(p)).Distinct());
    }

    [Fact]
    public void The_readme_lists_exactly_what_test_sh_installs()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var section = readme[readme.IndexOf("## Test it", StringComparison.Ordinal)..readme.IndexOf("## Configuration", StringComparison.Ordinal)];
        var listed = Regex.Matches(section, "`([a-z0-9][a-z0-9 .+\n-]+)`").SelectMany(m => m.Groups[1].Value.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries)).ToHashSet(StringComparer.Ordinal);

        Assert.Empty(TestSh().Except(listed));
    }

    [GeneratedRegex(@"(?m)^packages=\((?<list>[^)]*)\)")]
    private static partial Regex PackagesArray();

    [GeneratedRegex(@"(?:Tool\.Run|ChildProcess\.Start|Process\.Start|new ProcessStartInfo)\(\s*(?:fileName:\s*)?""(?<tool>[^""\s]+)""", RegexOptions.Singleline)]
    private static partial Regex Started();
}
