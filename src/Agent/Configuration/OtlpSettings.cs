using Agent.Common;

namespace Agent.Configuration;

/// <summary>The parsed <see cref="OtlpOptions"/>; <see cref="Endpoint"/> null means no push.</summary>
internal sealed record OtlpSettings(Uri? Endpoint, OtlpProtocol Protocol, TimeSpan ExportInterval, Secret? Headers)
{
    public static OtlpSettings Parse(OtlpOptions o)
    {
        static string Key(string property) => ConfigKey.Of(OtlpOptions.Section, property);
        var endpoint = HttpUrl.Parse(o.Endpoint, Key(nameof(o.Endpoint)));
        var protocol = o.Protocol switch
        {
            "http/protobuf" => OtlpProtocol.HttpProtobuf,
            "grpc" => OtlpProtocol.Grpc,
            _ => throw new ConfigurationException(Key(nameof(o.Protocol)), "must be http/protobuf or grpc"),
        };
        var interval = Bounds.Within(o.ExportInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1), Key(nameof(o.ExportInterval)));
        return new OtlpSettings(endpoint, protocol, interval, o.Headers is null ? null : new Secret(o.Headers));
    }
}
