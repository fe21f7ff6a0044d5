using System.Diagnostics.Metrics;
using Agent.Configuration;
using OpenTelemetry.Metrics;

namespace Agent.Telemetry;

/// <summary>
/// The agent's own runtime and process metrics, as much as <c>Telemetry:SelfMetrics</c> asks for
/// (series counts per mode are in the README):
/// <list type="bullet">
/// <item><c>full</c>: OpenTelemetry's Runtime (<c>dotnet_*</c>) and Process (<c>process_*</c>)
/// instrumentation, standard semantic-convention names.</item>
/// <item><c>minimal</c>: what the agent costs: <c>process_*</c> without virtual memory.</item>
/// <item><c>off</c>: nothing.</item>
/// </list>
/// Two fixes to the standard set, made here in one place. Five names end in <c>.count</c> on a
/// gauge, which Prometheus reserves for histograms and summaries (<c>promtool check metrics</c>
/// rejects them): renamed by dropping the suffix and pluralising. And the runtime's
/// <c>dotnet.thread_pool.queue.length</c> and <c>dotnet.thread_pool.thread.count</c> are
/// UpDownCounters, which the Prometheus exporter writes as counters with <c>_total</c> although
/// they fall (opentelemetry-dotnet #3974; <c>rate()</c> over them is nonsense): they are dropped
/// and this class's own meter reports the same two values as gauges.
/// </summary>
internal sealed class SelfMetrics : IDisposable
{
    public const string MeterName = "Agent.Self";

    /// <summary>The runtime's own meter, whose two thread-pool UpDownCounters are replaced.</summary>
    public const string RuntimeMeter = "System.Runtime";

    /// <summary>OpenTelemetry's Process instrumentation.</summary>
    public const string ProcessMeter = "OpenTelemetry.Instrumentation.Process";

    public static readonly IReadOnlyDictionary<string, string> Renames = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["dotnet.assembly.count"] = "dotnet.assemblies",
        ["dotnet.process.cpu.count"] = "dotnet.process.cpus",
        ["dotnet.timer.count"] = "dotnet.timers",
        ["process.thread.count"] = "process.threads",
        ["process.unix.file_descriptor.count"] = "process.unix.file_descriptors",
    };

    private static readonly string[] Replaced = ["dotnet.thread_pool.queue.length", "dotnet.thread_pool.thread.count"];

    private readonly Meter _meter;

    public SelfMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName, typeof(SelfMetrics).Assembly.GetName().Version?.ToString(3));

        // dotnet_thread_pool_threads, dotnet_thread_pool_queue_length
        _meter.CreateObservableGauge("dotnet.thread_pool.threads", () => ThreadPool.ThreadCount, null, "Thread pool threads of the agent (replaces the runtime's UpDownCounter dotnet.thread_pool.thread.count)");
        _meter.CreateObservableGauge("dotnet.thread_pool.queue_length", () => ThreadPool.PendingWorkItemCount, null, "Work items queued to the agent's thread pool (replaces the runtime's UpDownCounter dotnet.thread_pool.queue.length)");
    }

    public void Dispose() => _meter.Dispose();

    /// <summary>Adds the instrumentation for <paramref name="mode"/>; its views are <see cref="Stream"/>.</summary>
    public static MeterProviderBuilder Configure(MeterProviderBuilder builder, SelfMetricsMode mode)
    {
        if (mode == SelfMetricsMode.Off)
        {
            return builder;
        }

        builder.AddProcessInstrumentation();
        if (mode == SelfMetricsMode.Full)
        {
            builder.AddRuntimeInstrumentation().AddMeter(MeterName);
        }

        return builder;
    }

    /// <summary>
    /// The stream of one of these instruments in <paramref name="mode"/>: dropped, renamed (a new
    /// configuration each call, the caller may add to it), or null for unchanged and for any other instrument.
    /// </summary>
    public static MetricStreamConfiguration? Stream(Instrument instrument, SelfMetricsMode mode)
    {
        if (mode == SelfMetricsMode.Full && instrument.Meter.Name == RuntimeMeter && Replaced.Contains(instrument.Name))
        {
            return MetricStreamConfiguration.Drop;
        }

        // A .NET process reserves tens of GB of address space it never touches: no signal.
        if (mode == SelfMetricsMode.Minimal && instrument.Meter.Name == ProcessMeter && instrument.Name == "process.memory.virtual")
        {
            return MetricStreamConfiguration.Drop;
        }

        return Renames.TryGetValue(instrument.Name, out var to) && instrument.Meter.Name is RuntimeMeter or ProcessMeter
            ? new MetricStreamConfiguration { Name = to }
            : null;
    }
}
