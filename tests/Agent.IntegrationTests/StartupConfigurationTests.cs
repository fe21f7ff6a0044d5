using Agent.Configuration;
using Agent.IntegrationTests.Infrastructure;
using Agent.Tests.Shared;

namespace Agent.IntegrationTests;

/// <summary>
/// The built agent refuses bad configuration at startup: exit code 2 (not a crash's 134, not any
/// non-zero) and one line naming the key. Every known key is tried on the real (native) process.
/// </summary>
public sealed class StartupConfigurationTests
{
    public static TheoryData<string> Keys() => BadConfigurationValues.Keys();

    [Theory]
    [MemberData(nameof(Keys))]
    public async Task A_bad_value_exits_2_naming_the_key(string key)
    {
        var settings = BadConfigurationValues.Settings(key).ToDictionary(kv => kv.Key, kv => kv.Value!);
        await using var agent = await AgentProcess.Start(settings, waitHealthy: false);

        var code = await agent.Process.WaitForExit(TimeSpan.FromSeconds(30));

        Assert.Equal(2, code);
        Assert.Contains($"configuration error: {key}", agent.Process.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", agent.Process.Stderr, StringComparison.Ordinal);
    }

    /// <summary>Every key of every section, named sections (Probes, Targets, Triggers) included.</summary>
    [Fact]
    public void Every_known_key_has_a_case()
    {
        var covered = BadConfigurationValues.Cases.Select(c => BadConfigurationValues.Pattern(c.Key, KnownKeys.Named.Keys, KnownKeys.NamePlaceholder)).ToHashSet(StringComparer.OrdinalIgnoreCase);

        Assert.Empty(KnownKeys.Every.Except(covered, StringComparer.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Two_selectors_from_environment_and_command_line_are_refused()
    {
        await using var agent = await AgentProcess.Start(
            new Dictionary<string, string> { ["Target:ProcessName"] = "x" },
            waitHealthy: false,
            env: new Dictionary<string, string?> { ["Target__Pid"] = "1" });

        var code = await agent.Process.WaitForExit(TimeSpan.FromSeconds(30));

        Assert.Equal(2, code);
        Assert.Contains("only one target selector", agent.Process.Stderr, StringComparison.Ordinal);
    }
}
