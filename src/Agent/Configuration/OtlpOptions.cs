namespace Agent.Configuration;

/// <summary>The <c>Otlp</c> section: optional OTLP push next to the Prometheus endpoint.</summary>
internal sealed class OtlpOptions
{
    public const string Section = "Otlp";

    /// <summary>Collector base URL, e.g. <c>http://otel-collector:4318</c>; unset = no push.</summary>
    public string? Endpoint { get; set; }

    /// <summary><c>http/protobuf</c> (default) or <c>grpc</c>.</summary>
    public string Protocol { get; set; } = "http/protobuf";

    public TimeSpan ExportInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Extra headers, <c>k1=v1,k2=v2</c> (e.g. an API key): a secret, never logged.</summary>
    public string? Headers { get; set; }
}
