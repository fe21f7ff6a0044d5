using System.Text.Json;
using System.Text.RegularExpressions;
using Agent.Configuration;
using Microsoft.Extensions.Configuration;

namespace Agent.Tests.Configuration;

/// <summary>
/// The chart's values.schema.json refuses what the agent refuses and allows what it supports: its
/// closed lists (probe kinds, trigger actions, self-metrics modes) are checked against the agent's
/// own parsing, both ways, so a kind or action added to one fails here until the other has it.
/// </summary>
public class ChartSchemaTests
{
    private static readonly JsonElement Agent = JsonDocument.Parse(File.ReadAllText(Fixtures.RepoFile("charts", "agent", "values.schema.json")))
        .RootElement.GetProperty("properties").GetProperty("agent").GetProperty("properties");

    private static JsonElement Probe => Agent.GetProperty("probes").GetProperty("additionalProperties");

    private static IEnumerable<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!);

    private static AgentSettings Load(params (string Key, string Value)[] settings) =>
        AgentSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build());

    [Fact]
    public void Every_probe_kind_the_schema_allows_is_one_the_agent_parses_and_every_agent_kind_is_allowed()
    {
        var schema = Strings(Probe.GetProperty("properties").GetProperty("kind").GetProperty("enum")).ToList();

        foreach (var kind in schema)
        {
            // A kind the agent does not know names the Kind key; a known one at most misses its own keys.
            var e = Record.Exception(() => Load(($"Probes:p:Kind", kind)));
            Assert.False(e is ConfigurationException c && c.Key.EndsWith(":Kind", StringComparison.Ordinal), $"schema kind {kind}: {e?.Message}");
        }

        foreach (var kind in Enum.GetValues<ProbeKind>())
        {
            Assert.Contains(kind.ToString().ToLowerInvariant(), schema);
        }

        Assert.Throws<ConfigurationException>(() => Load(("Probes:p:Kind", "memcached")));
    }

    [Fact]
    public void The_schemas_probe_keys_per_kind_are_the_agents_keys_of_that_kind()
    {
        // The chart's value names, as the template renders them (camelCase of the agent's key).
        var rendered = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["url"] = nameof(ProbeOptions.Url), ["expectedStatus"] = nameof(ProbeOptions.ExpectedStatus), ["host"] = nameof(ProbeOptions.Host),
            ["port"] = nameof(ProbeOptions.Port), ["send"] = nameof(ProbeOptions.Send), ["expect"] = nameof(ProbeOptions.Expect),
            ["address"] = nameof(ProbeOptions.Address), ["service"] = nameof(ProbeOptions.Service),
            ["secretName"] = nameof(ProbeOptions.ConnectionStringFile), ["secretKey"] = nameof(ProbeOptions.ConnectionStringFile),
        };
        foreach (var rule in Probe.GetProperty("allOf").EnumerateArray())
        {
            var kinds = rule.GetProperty("if").GetProperty("properties").GetProperty("kind") is var k && k.TryGetProperty("enum", out var list) ? Strings(list).ToList() : [k.GetProperty("const").GetString()!];
            var forbidden = rule.GetProperty("then").GetProperty("properties").EnumerateObject().Select(p => p.Name).ToHashSet();
            foreach (var kind in Enum.GetValues<ProbeKind>().Where(v => kinds.Contains(v.ToString().ToLowerInvariant())))
            {
                foreach (var (value, key) in rendered)
                {
                    var agentTakes = ProbeLoader.KeysByKind[kind].Contains(key);
                    Assert.True(agentTakes != forbidden.Contains(value), $"{kind}: the schema {(forbidden.Contains(value) ? "forbids" : "allows")} {value}, the agent {(agentTakes ? "takes" : "refuses")} {key}");
                }
            }
        }
    }

    [Fact]
    public void Trigger_actions_and_self_metrics_modes_match_the_agents()
    {
        var pattern = new Regex(Agent.GetProperty("triggers").GetProperty("additionalProperties").GetProperty("properties").GetProperty("actions").GetProperty("pattern").GetString()!);
        foreach (var action in Enum.GetValues<TriggerAction>())
        {
            Assert.Matches(pattern, action.ToString().ToLowerInvariant());
        }

        Assert.DoesNotMatch(pattern, "coredump");

        var modes = Strings(Agent.GetProperty("selfMetrics").GetProperty("anyOf")[0].GetProperty("enum")).ToList();
        Assert.Equal(Enum.GetValues<SelfMetricsMode>().Select(m => m.ToString().ToLowerInvariant()).Order(), modes.Order());
    }
}
