using OpenTelemetry.Metrics;

namespace Agent.Telemetry;

/// <summary>
/// The agent's own runtime and process metrics (OpenTelemetry Runtime and Process
/// instrumentation, standard semantic-convention names). Five of those names end in
/// <c>.count</c> on a gauge, which Prometheus reserves for histograms and summaries
/// (<c>promtool check metrics</c> rejects them); they are renamed here, in one place, by
/// dropping the suffix and pluralising, and listed in the README.
/// </summary>
internal static class SelfMetrics
{
    public static readonly IReadOnlyDictionary<string, string> Renames = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["dotnet.assembly.count"] = "dotnet.assemblies",
        ["dotnet.process.cpu.count"] = "dotnet.process.cpus",
        ["dotnet.timer.count"] = "dotnet.timers",
        ["process.thread.count"] = "process.threads",
        ["process.unix.file_descriptor.count"] = "process.unix.file_descriptors",
    };

    public static MeterProviderBuilder AddAgentSelfMetrics(this MeterProviderBuilder builder)
    {
        builder.AddRuntimeInstrumentation().AddProcessInstrumentation();
        foreach (var (from, to) in Renames)
        {
            builder.AddView(from, new MetricStreamConfiguration { Name = to });
        }

        return builder;
    }
}
