using System.Collections;
using System.Reflection;
using Agent.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;

namespace Agent.Tests.Configuration;

/// <summary>
/// A misspelled top-level section stops startup naming it and the section it misses; generated for
/// every section the agent has, from the command line, a settings file and the environment.
/// </summary>
public class KnownSectionsTests
{
    /// <summary>Every <c>Section</c> constant of an options type: a new section must be known.</summary>
    private static readonly string[] Declared = typeof(KnownSections).Assembly.GetTypes()
        .Where(t => t.Namespace == typeof(KnownSections).Namespace)
        .Select(t => t.GetField("Section", BindingFlags.Public | BindingFlags.Static))
        .OfType<FieldInfo>()
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .Order(StringComparer.Ordinal)
        .ToArray();

    public static TheoryData<string> Sections() => [.. Declared];

    /// <summary>The section with one letter doubled: one edit from it, further from every other.</summary>
    private static string Misspelled(string section) => section[..3] + section[2] + section[3..];

    [Fact]
    public void Every_options_section_is_a_known_section()
    {
        Assert.NotEmpty(Declared);
        Assert.Equal(Declared, KnownSections.Agent.Order(StringComparer.Ordinal).ToArray());
    }

    [Theory]
    [MemberData(nameof(Sections))]
    public void A_misspelled_section_on_the_command_line_is_refused_with_the_nearest(string section)
    {
        var wrong = Misspelled(section);
        var configuration = new ConfigurationBuilder().AddCommandLine([$"--{wrong}:x:Kind=tcp"]).Build();

        var e = Assert.Throws<ConfigurationException>(() => KnownSections.Validate(configuration));

        Assert.Equal(wrong, e.Key);
        Assert.Contains($"did you mean {section}?", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Sections))]
    public void A_misspelled_section_in_a_settings_file_is_refused(string section)
    {
        var wrong = Misspelled(section);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new($"{wrong}:x", "1")]).Build();

        var e = Assert.Throws<ConfigurationException>(() => KnownSections.Validate(configuration));

        Assert.Contains($"did you mean {section}?", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Sections))]
    public void A_misspelled_section_in_the_environment_is_refused_and_says_so(string section)
    {
        var wrong = Misspelled(section);
        var configuration = Environment(new() { [$"{wrong}__x__Kind"] = "tcp" });

        var e = Assert.Throws<ConfigurationException>(() => KnownSections.Validate(configuration));

        Assert.Contains($"did you mean {section}?", e.Message, StringComparison.Ordinal);
        Assert.Contains($"environment variable {wrong}__", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Sections))]
    public void The_right_section_in_any_case_is_accepted(string section)
    {
        var configuration = new ConfigurationBuilder()
            .AddCommandLine([$"--{section.ToUpperInvariant()}:x=1", $"--{section.ToLowerInvariant()}:y=1"])
            .Build();

        KnownSections.Validate(configuration);
    }

    [Fact]
    public void A_section_far_from_every_known_one_is_refused_on_the_command_line_without_a_guess()
    {
        var configuration = new ConfigurationBuilder().AddCommandLine(["--Zebra:x=1"]).Build();

        var e = Assert.Throws<ConfigurationException>(() => KnownSections.Validate(configuration));

        Assert.Equal("Zebra", e.Key);
        Assert.DoesNotContain("did you mean", e.Message, StringComparison.Ordinal);
        Assert.Contains("Probes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unrelated_environment_variables_and_the_hosts_own_keys_are_left_alone()
    {
        // The real environment of this test process (PATH, HOME, DOTNET_*, ...), plus what the
        // image and the chart set.
        var real = System.Environment.GetEnvironmentVariables().Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string?)e.Value);
        real["ASPNETCORE_URLS"] = "http://+:9464";
        real["DOTNET_gcServer"] = "0";
        real["HOSTNAME"] = "pod-a";
        real["KUBERNETES_SERVICE_HOST"] = "10.0.0.1";
        real["REDIS_PORT_6379_TCP"] = "tcp://10.0.0.2:6379";
        KnownSections.Validate(Environment(real));

        var args = new ConfigurationBuilder().AddCommandLine(
        [
            "--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", "--Kestrel:Endpoints:a:Url=http://127.0.0.1:0",
            "--AllowedHosts=*", "--HTTP_PORTS=9464", "--environment=Production", "--contentRoot=/", "--shutdownTimeoutSeconds=5",
        ]).Build();
        KnownSections.Validate(args);
    }

    [Fact]
    public void A_misspelling_is_found_through_the_agents_whole_configuration_load()
    {
        var configuration = new ConfigurationBuilder().AddCommandLine(["--Prob:web:Kind=tcp", "--Prob:web:Host=127.0.0.1"]).Build();

        var e = Assert.Throws<ConfigurationException>(() => AgentSettings.Load(configuration));

        Assert.Equal("Prob", e.Key);
        Assert.Contains("did you mean Probes?", e.Message, StringComparison.Ordinal);
    }

    private static IConfigurationRoot Environment(Dictionary<string, string?> variables) =>
        new ConfigurationBuilder().Add(new FixedEnvironmentSource(variables)).Build();

    /// <summary>The real environment-variable provider, fed a fixed set instead of this process's variables.</summary>
    private sealed class FixedEnvironmentSource(Dictionary<string, string?> variables) : IConfigurationSource
    {
        public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider(variables);

        private sealed class Provider(Dictionary<string, string?> variables) : EnvironmentVariablesConfigurationProvider
        {
            public override void Load() =>
                Data = variables.ToDictionary(v => v.Key.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal), v => v.Value, StringComparer.OrdinalIgnoreCase);
        }
    }
}
