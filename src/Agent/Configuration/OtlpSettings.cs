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
        ValidateHeaders(o.Headers, Key(nameof(o.Headers)));
        return new OtlpSettings(endpoint, protocol, interval, o.Headers is null ? null : new Secret(o.Headers));
    }

    /// <summary>
    /// <c>k1=v1,k2=v2</c> as OTEL_EXPORTER_OTLP_HEADERS. The exporter parses it only when it first
    /// exports and throws from a background thread (exit 134 with a stack trace), so the rule is
    /// checked here. Values are secrets: the message names the pair's position, never its text.
    /// </summary>
    private static void ValidateHeaders(string? headers, string key)
    {
        if (headers is null)
        {
            return;
        }

        var pairs = headers.Split(',');
        for (var i = 0; i < pairs.Length; i++)
        {
            var eq = pairs[i].IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? "" : pairs[i][..eq].Trim();
            if (name.Length == 0 || !name.All(IsHeaderNameChar) || pairs[i][(eq + 1)..].Any(char.IsControl))
            {
                throw new ConfigurationException(key, $"pair {i + 1} of {pairs.Length} is not name=value (a non-empty header name, no control characters); the form is k1=v1,k2=v2");
            }
        }
    }

    /// <summary>An RFC 9110 token character, the only ones a header name may hold.</summary>
    private static bool IsHeaderNameChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);
}

/// <summary><c>Otlp:Protocol</c>: how metrics are pushed.</summary>
internal enum OtlpProtocol
{
    /// <summary><c>http/protobuf</c> (the default, port 4318).</summary>
    HttpProtobuf,

    /// <summary><c>grpc</c> (port 4317).</summary>
    Grpc,
}
