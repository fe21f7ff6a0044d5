using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

/// <summary>The built agent refuses bad configuration at startup, naming the key.</summary>
public sealed class StartupConfigurationTests
{
    [Theory]
    [InlineData("Target:Pidd", "12", "Target:Pidd")]
    [InlineData("Sampling:Interval", "-00:00:01", "Sampling:Interval")]
    [InlineData("Target:CommandLinePattern", "(", "Target:CommandLinePattern")]
    [InlineData("Target:PidFile", "", "Target:PidFile")]
    public async Task A_bad_key_or_value_stops_startup_and_is_named(string key, string value, string named)
    {
        await using var agent = await AgentProcess.Start(new Dictionary<string, string> { [key] = value }, waitHealthy: false);

        var code = await agent.Process.WaitForExit(TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, code);
        Assert.Contains(named, agent.Process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_selectors_from_environment_and_command_line_are_refused()
    {
        await using var agent = await AgentProcess.Start(
            new Dictionary<string, string> { ["Target:ProcessName"] = "x" },
            waitHealthy: false,
            env: new Dictionary<string, string?> { ["Target__Pid"] = "1" });

        var code = await agent.Process.WaitForExit(TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, code);
        Assert.Contains("only one target selector", agent.Process.Stderr, StringComparison.Ordinal);
    }
}
