using System.Reflection;
using Agent.Configuration;

namespace Agent.Tests.Configuration;

/// <summary>
/// The keys the agent accepts are exactly the properties of its options types: a property added
/// without its key (or a key without a property) fails here, not in a deployment.
/// </summary>
public class KnownKeysTests
{
    private static readonly Dictionary<string, Type> Bound = new(StringComparer.OrdinalIgnoreCase)
    {
        [TargetOptions.Section] = typeof(TargetOptions),
        [SamplingOptions.Section] = typeof(SamplingOptions),
        [ReadinessOptions.Section] = typeof(ReadinessOptions),
        [SecurityOptions.Section] = typeof(SecurityOptions),
        [OtlpOptions.Section] = typeof(OtlpOptions),
        [TelemetryOptions.Section] = typeof(TelemetryOptions),
        [DiagnosticsOptions.Section] = typeof(DiagnosticsOptions),
        [ProfilingOptions.Section] = typeof(ProfilingOptions),
        [RuntimeOptions.Section] = typeof(RuntimeOptions),
        [RuntimeOptions.Section + ":Dotnet"] = typeof(DotnetRuntimeOptions),
        [TrafficOptions.Section] = typeof(TrafficOptions),
    };

    private static string[] Properties(Type t) =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void Every_section_lists_exactly_the_properties_of_its_options_type()
    {
        Assert.Equal(Bound.Keys.Order(StringComparer.Ordinal), KnownKeys.All.Keys.Order(StringComparer.Ordinal));
        foreach (var (section, keys) in KnownKeys.All)
        {
            Assert.Equal(Properties(Bound[section]), keys.Order(StringComparer.Ordinal).ToArray());
        }
    }

    [Fact]
    public void Probe_keys_of_all_kinds_are_exactly_the_properties_of_ProbeOptions()
    {
        var listed = ProbeLoader.CommonKeys.Concat(ProbeLoader.KeysByKind.Values.SelectMany(k => k)).Distinct().Order(StringComparer.Ordinal);

        Assert.Equal(Properties(typeof(ProbeOptions)), listed.ToArray());
        Assert.Equal(Enum.GetValues<ProbeKind>().Order(), ProbeLoader.KeysByKind.Keys.Order());
    }

    [Fact]
    public void Named_target_keys_are_exactly_the_properties_of_NamedTargetOptions()
    {
        Assert.Equal(Properties(typeof(NamedTargetOptions)), TargetPlan.Keys.Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void Trigger_keys_are_exactly_the_properties_of_TriggerOptions()
    {
        Assert.Equal(Properties(typeof(TriggerOptions)), TriggerLoader.Keys.Order(StringComparer.Ordinal).ToArray());
    }
}
