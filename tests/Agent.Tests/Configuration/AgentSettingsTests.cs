using Agent.Configuration;
using Microsoft.Extensions.Configuration;

namespace Agent.Tests.Configuration;

public class AgentSettingsTests
{
    private static AgentSettings Load(params (string Key, string Value)[] values) =>
        AgentSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    [Fact]
    public void Nothing_configured_means_self_with_a_one_second_interval()
    {
        var s = Load();

        Assert.Null(s.Target.Pid);
        Assert.False(s.Target.Auto);
        Assert.Equal(TimeSpan.FromSeconds(1), s.Sampling.Interval);
    }

    [Fact]
    public void Values_are_bound()
    {
        var s = Load(("Target:ProcessName", "gunicorn"), ("Target:IncludeChildren", "true"), ("Sampling:Interval", "00:00:02"));

        Assert.Equal("gunicorn", s.Target.ProcessName);
        Assert.True(s.Target.IncludeChildren);
        Assert.Equal(TimeSpan.FromSeconds(2), s.Sampling.Interval);
    }

    [Theory]
    [InlineData("Target:Pid", "abc", "Target:Pid")]
    [InlineData("Target:Pid", "-3", "Target:Pid")]
    [InlineData("Target:Pid", "0", "Target:Pid")]
    [InlineData("Target:PidFile", " ", "Target:PidFile")]
    [InlineData("Target:ProcessName", "/usr/bin/app", "Target:ProcessName")]
    [InlineData("Target:CommandLinePattern", "([unclosed", "Target:CommandLinePattern")]
    [InlineData("Target:IncludeChildren", "maybe", "Target:IncludeChildren")]
    [InlineData("Target:Auto", "yes please", "Target:Auto")]
    [InlineData("Sampling:Interval", "-00:00:01", "Sampling:Interval")]
    [InlineData("Sampling:Interval", "00:00:00", "Sampling:Interval")]
    [InlineData("Sampling:Interval", "soon", "Sampling:Interval")]
    [InlineData("Target:ProcesName", "x", "Target:ProcesName")]
    [InlineData("Sampling:Period", "00:00:01", "Sampling:Period")]
    public void A_bad_value_names_its_key(string key, string value, string named)
    {
        var e = Assert.Throws<ConfigurationException>(() => Load((key, value)));

        Assert.Equal(named, e.Key);
        Assert.StartsWith(named + ":", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_selectors_at_once_are_refused()
    {
        var e = Assert.Throws<ConfigurationException>(() => Load(("Target:Pid", "1"), ("Target:ProcessName", "x")));

        Assert.Contains("only one target selector", e.Message, StringComparison.Ordinal);
        Assert.Contains("Target:Pid", e.Message, StringComparison.Ordinal);
        Assert.Contains("Target:ProcessName", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_value_is_not_echoed()
    {
        var e = Assert.Throws<ConfigurationException>(() => Load(("Target:Pid", "s3cr3t-looking-value")));

        Assert.DoesNotContain("s3cr3t", e.Message, StringComparison.Ordinal);
    }
}
