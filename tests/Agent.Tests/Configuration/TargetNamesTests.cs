using Agent.Configuration;
using Microsoft.Extensions.Configuration;

namespace Agent.Tests.Configuration;

/// <summary>
/// One rule for a target name wherever a name comes from: a <c>Targets:&lt;name&gt;</c> section, a
/// trigger's <c>Target</c> under Auto, a discovered comm. The boundary (63 accepted, 64 refused) is
/// written here as characters, not read from the rule's constant.
/// </summary>
public sealed class TargetNamesTests
{
    private static readonly string Longest = new('a', 63);
    private static readonly string TooLong = new('a', 64);

    private static AgentSettings Load(params (string Key, string Value)[] values) =>
        AgentSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    [Fact]
    public void A_section_and_a_trigger_accept_the_same_longest_name()
    {
        var s = Load(($"Targets:{Longest}:Pid", "1"), ("Triggers:t:Metric", "target_process_open_fds"), ("Triggers:t:Above", "10"), ("Triggers:t:Target", Longest));
        Assert.Equal(Longest, Assert.Single(s.Targets.Targets).Name);
        Assert.Equal(Longest, Assert.Single(s.Triggers).Target);

        var auto = Load(("Target:Auto", "true"), ("Triggers:t:Metric", "target_process_open_fds"), ("Triggers:t:Above", "10"), ("Triggers:t:Target", Longest));
        Assert.Equal(Longest, Assert.Single(auto.Triggers).Target);
    }

    [Theory]
    [InlineData("a.b")]
    [InlineData("a b")]
    [InlineData("é")]
    [InlineData("64")]
    public void A_section_and_a_trigger_refuse_the_same_names_with_the_same_words(string name)
    {
        name = name == "64" ? TooLong : name;
        var section = Assert.Throws<ConfigurationException>(() => Load(($"Targets:{name}:Pid", "1")));
        Assert.Contains($"Targets:{name}", section.Message, StringComparison.Ordinal);

        var trigger = Assert.Throws<ConfigurationException>(() => Load(("Target:Auto", "true"), ("Triggers:t:Metric", "target_process_open_fds"), ("Triggers:t:Above", "10"), ("Triggers:t:Target", name)));
        Assert.Contains("Triggers:t:Target", trigger.Message, StringComparison.Ordinal);

        const string words = "letters, digits, '_' and '-' (1 to 63 characters)";
        Assert.Contains(words, section.Message, StringComparison.Ordinal);
        Assert.Contains(words, trigger.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("python3.11", "python3_11")]
    [InlineData("kworker/0:1", "kworker_0_1")]
    [InlineData("", "process")]
    public void A_discovered_comm_becomes_a_name_the_rule_accepts(string comm, string expected)
    {
        var name = TargetNames.FromComm(comm);
        Assert.Equal(expected, name);
        Assert.True(TargetNames.IsValid(name));
        // The longest comm (15 bytes, TASK_COMM_LEN - 1) with a de-duplicating suffix still fits.
        Assert.True(TargetNames.IsValid(TargetNames.Unique(TargetNames.FromComm(new string('x', 15)), new HashSet<string> { new('x', 15) })));
    }

    [Fact]
    public void Nothing_configured_is_one_target_named_app()
    {
        Assert.Equal("app", Assert.Single(Load().Targets.Targets).Name);
        Assert.Equal("app", TargetNames.Default);
    }
}
