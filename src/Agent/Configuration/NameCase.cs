namespace Agent.Configuration;

/// <summary>
/// .NET configuration keys are case-insensitive: <c>Probes:Cache:Kind</c> and <c>Probes:cache:Port</c>
/// are one probe. Names of probes, targets and triggers that differ only in case, given by the same
/// source (one JSON file, the command line, the environment), are refused: the author meant two.
/// Across sources a case-only difference is the usual override (<c>PROBES__CACHE__PORT</c> over a JSON
/// file's <c>Probes:Cache:Port</c>) and is left alone.
/// </summary>
internal static class NameCase
{
    private static readonly string[] Sections = [ProbeOptions.Section, NamedTargetOptions.Section, TriggerOptions.Section];

    public static void RefuseCaseOnlyDuplicates(IConfiguration configuration)
    {
        if (configuration is not IConfigurationRoot root)
        {
            return;
        }

        foreach (var provider in root.Providers)
        {
            foreach (var section in Sections)
            {
                var names = provider.GetChildKeys([], section).Distinct(StringComparer.Ordinal).ToList();
                foreach (var group in names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
                {
                    var spellings = group.Order(StringComparer.Ordinal).ToList();
                    throw new ConfigurationException(
                        ConfigKey.Of(section, spellings[1]),
                        $"differs only in case from {ConfigKey.Of(section, spellings[0])}; configuration keys are case-insensitive, so both would merge into one: rename one of them");
                }
            }
        }
    }
}
