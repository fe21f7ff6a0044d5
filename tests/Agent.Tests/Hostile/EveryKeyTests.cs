using Agent.Configuration;
using Agent.Tests.Shared;
using Microsoft.Extensions.Configuration;

namespace Agent.Tests.Hostile;

/// <summary>Every configuration key, given a bad value, stops startup with an error naming it.</summary>
public class EveryKeyTests
{
    public static TheoryData<string> Keys() => BadConfigurationValues.Keys();

    [Theory]
    [MemberData(nameof(Keys))]
    public void A_bad_value_names_the_key(string key)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(BadConfigurationValues.Settings(key)).Build();

        var e = Assert.Throws<ConfigurationException>(() => AgentSettings.Load(configuration));

        Assert.StartsWith(key, e.Key, StringComparison.Ordinal);
        Assert.StartsWith(e.Key + ": ", e.Message, StringComparison.Ordinal);
        Assert.True(e.Message.Length > e.Key.Length + 10, "the message explains the problem: " + e.Message);
    }

    /// <summary>Every key of every section, named sections (Probes, Targets, Triggers) included.</summary>
    [Fact]
    public void Every_known_key_has_a_case()
    {
        var covered = BadConfigurationValues.Cases.Select(c => BadConfigurationValues.Pattern(c.Key, KnownKeys.Named.Keys, KnownKeys.NamePlaceholder)).ToHashSet(StringComparer.OrdinalIgnoreCase);

        Assert.Empty(KnownKeys.Every.Except(covered, StringComparer.OrdinalIgnoreCase));
    }

    [Fact]
    public void The_catalogue_has_the_named_sections_keys()
    {
        // What the loaders check, not a list of their own: a new probe, target or trigger key appears in Every.
        var every = KnownKeys.Every.ToList();
        Assert.Contains("Probes:<name>:CaFile", every);
        Assert.Contains("Probes:<name>:Service", every);
        Assert.Contains("Targets:<name>:MetricsUrl", every);
        Assert.Contains("Triggers:<name>:GrowthAbove", every);
        Assert.DoesNotContain("Runtime:Dotnet", every); // a section, not a key
        Assert.Equal(every.Count, every.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }
}
