using Agent.Configuration;
using Microsoft.Extensions.Configuration;

namespace Agent.Tests.Configuration;

/// <summary>
/// One rule for every name configuration gives — a <c>Targets:&lt;name&gt;</c> section, a trigger's
/// <c>Target</c> under Auto, a probe, a trigger — and one default target. The boundary (64 accepted,
/// 65 refused) is written here as characters, not read from the rule's constant. Before, targets
/// stopped at 63 and probes and triggers at 64, each with its own words.
/// </summary>
public sealed class NamesTests
{
    private static readonly string Longest = new('a', 64);
    private static readonly string TooLong = new('a', 65);

    private static AgentSettings Load(params (string Key, string Value)[] values) =>
        AgentSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    private static (string, string)[] Probe(string name) => [($"Probes:{name}:Kind", "tcp"), ($"Probes:{name}:Host", "127.0.0.1"), ($"Probes:{name}:Port", "1")];

    private static (string, string)[] Trigger(string name, string? target = null) =>
        [($"Triggers:{name}:Metric", "target_process_open_fds"), ($"Triggers:{name}:Above", "10"), .. target is null ? Array.Empty<(string, string)>() : [($"Triggers:{name}:Target", target)]];

    [Fact]
    public void Targets_probes_and_triggers_accept_the_same_longest_name()
    {
        var s = Load([($"Targets:{Longest}:Pid", "1"), .. Probe(Longest), .. Trigger(Longest, Longest)]);
        Assert.Equal(Longest, Assert.Single(s.Targets.Targets).Name);
        Assert.Equal(Longest, Assert.Single(s.Probes).Name);
        var trigger = Assert.Single(s.Triggers);
        Assert.Equal(Longest, trigger.Name);
        Assert.Equal(Longest, trigger.Target);

        var auto = Load([("Target:Auto", "true"), .. Trigger("t", Longest)]);
        Assert.Equal(Longest, Assert.Single(auto.Triggers).Target);
    }

    [Theory]
    [InlineData("a.b")]
    [InlineData("a b")]
    [InlineData("é")]
    [InlineData("65")]
    public void Targets_probes_and_triggers_refuse_the_same_names_with_the_same_words(string name)
    {
        name = name == "65" ? TooLong : name;
        const string words = "names may only hold letters, digits, '_' and '-' (1 to 64 characters)";
        foreach (var (values, key, what) in new[]
        {
            (new[] { ($"Targets:{name}:Pid", "1") }, $"Targets:{name}", "target"),
            ([("Target:Auto", "true"), .. Trigger("t", name)], "Triggers:t:Target", "target"),
            (Probe(name), $"Probes:{name}", "probe"),
            (Trigger(name), $"Triggers:{name}", "trigger"),
        })
        {
            var e = Assert.Throws<ConfigurationException>(() => Load(values));
            Assert.Equal(key, e.Key);
            Assert.Contains($"{what} {words}", e.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("python3.11", "python3_11")]
    [InlineData("kworker/0:1", "kworker_0_1")]
    [InlineData("", "process")]
    public void A_discovered_comm_becomes_a_name_the_rule_accepts(string comm, string expected)
    {
        var name = TargetNames.FromComm(comm);
        Assert.Equal(expected, name);
        Assert.True(Names.IsValid(name));
        // The longest comm (15 bytes, TASK_COMM_LEN - 1) with a de-duplicating suffix still fits.
        Assert.True(Names.IsValid(TargetNames.Unique(TargetNames.FromComm(new string('x', 15)), new HashSet<string> { new('x', 15) })));
    }

    [Fact]
    public void Nothing_configured_is_one_target_named_app()
    {
        Assert.Equal("app", Assert.Single(Load().Targets.Targets).Name);
        Assert.Equal("app", TargetNames.Default);
    }
}
