using Agent.Configuration;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace Agent.Telemetry;

/// <summary>Optional OTLP push of the same metrics; Prometheus pull stays on.</summary>
internal static class OtlpExport
{
    public static MeterProviderBuilder AddAgentOtlpExporter(this MeterProviderBuilder builder, OtlpSettings options)
    {
        if (options.Endpoint is not { } endpoint)
        {
            return builder;
        }

        return builder.AddOtlpExporter((exporter, reader) =>
        {
            var grpc = options.Protocol == OtlpProtocol.Grpc;
            exporter.Protocol = grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
            var url = endpoint;
            // Set in code, the HTTP endpoint is used as given: add the signal path the way the
            // OTEL_EXPORTER_OTLP_ENDPOINT variable would.
            exporter.Endpoint = !grpc && url.AbsolutePath is "" or "/" ? new Uri(url, "v1/metrics") : url;
            exporter.Headers = options.Headers?.Reveal();
            exporter.TimeoutMilliseconds = (int)Math.Min(10_000, Math.Max(1000, options.ExportInterval.TotalMilliseconds));
            reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)options.ExportInterval.TotalMilliseconds;
            reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
        });
    }
}
