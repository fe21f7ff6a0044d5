using Agent.Common;
using System.Text.RegularExpressions;
using Agent.Configuration;
using Npgsql;
using StackExchange.Redis;

namespace Agent.Configuration;

/// <summary>
/// Reads and validates <c>Probes:&lt;name&gt;:*</c>. Every problem names its key; no value of a
/// connection string is ever echoed (it may hold a password).
/// </summary>
internal static partial class ProbeSettings
{
    private static readonly Dictionary<ProbeKind, string[]> KeysByKind = new()
    {
        [ProbeKind.Redis] = ["ConnectionString", "ConnectionStringFile"],
        [ProbeKind.Postgres] = ["ConnectionString", "ConnectionStringFile"],
        [ProbeKind.Http] = ["Url", "ExpectedStatus"],
        [ProbeKind.Tcp] = ["Host", "Port", "Send", "Expect"],
    };

    private static readonly string[] CommonKeys = ["Kind", "Timeout", "Period", "Critical"];

    public static IReadOnlyList<ProbeDefinition> Load(IConfiguration configuration)
    {
        var result = new List<ProbeDefinition>();
        foreach (var section in configuration.GetSection(ProbeOptions.Section).GetChildren())
        {
            result.Add(LoadOne(section));
        }

        return result;
    }

    private static ProbeDefinition LoadOne(IConfigurationSection section)
    {
        var name = section.Key;
        var prefix = section.Path;
        if (!ProbeName().IsMatch(name))
        {
            throw new ConfigurationException(prefix, "probe names may only hold letters, digits, '_' and '-' (at most 64)");
        }

        if (!section.GetChildren().Any())
        {
            throw new ConfigurationException(prefix, "expected a probe section with at least Kind");
        }

        var o = AgentSettings.Bind(prefix, () => section.Get<ProbeOptions>() ?? new ProbeOptions());
        var kind = o.Kind?.Trim().ToLowerInvariant() switch
        {
            "redis" => ProbeKind.Redis,
            "postgres" or "postgresql" or "npgsql" => ProbeKind.Postgres,
            "http" => ProbeKind.Http,
            "tcp" => ProbeKind.Tcp,
            null or "" => throw new ConfigurationException($"{prefix}:Kind", "required: redis, postgres, http or tcp"),
            _ => throw new ConfigurationException($"{prefix}:Kind", "must be redis, postgres, http or tcp"),
        };

        var allowed = CommonKeys.Concat(KeysByKind[kind]).ToArray();
        foreach (var child in section.GetChildren())
        {
            if (!allowed.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                throw new ConfigurationException(child.Path, $"not a key of a {o.Kind} probe; its keys are {string.Join(", ", allowed)}");
            }
        }

        if (o.Timeout <= TimeSpan.Zero || o.Timeout > TimeSpan.FromMinutes(1))
        {
            throw new ConfigurationException($"{prefix}:Timeout", "must be more than 0 and at most 00:01:00");
        }

        if (o.Period < TimeSpan.FromMilliseconds(100) || o.Period > TimeSpan.FromHours(1))
        {
            throw new ConfigurationException($"{prefix}:Period", "must be between 00:00:00.100 and 01:00:00");
        }

        if (o.Timeout > o.Period)
        {
            throw new ConfigurationException($"{prefix}:Timeout", "must not be longer than Period (at most one check in flight)");
        }

        var d = new ProbeDefinition(name, kind, o.Timeout, o.Period, o.Critical);
        return kind switch
        {
            ProbeKind.Redis or ProbeKind.Postgres => d with { ConnectionString = ConnectionString(o, prefix, kind) },
            ProbeKind.Http => d with { Url = HttpUrl(o, prefix), ExpectedStatus = Expected(o, prefix) },
            _ => Tcp(d, o, prefix),
        };
    }

    private static Secret ConnectionString(ProbeOptions o, string prefix, ProbeKind kind)
    {
        string value;
        string key;
        if (o.ConnectionString is not null && o.ConnectionStringFile is not null)
        {
            throw new ConfigurationException($"{prefix}:ConnectionStringFile", "set either ConnectionString or ConnectionStringFile, not both");
        }

        if (o.ConnectionStringFile is { } file)
        {
            key = $"{prefix}:ConnectionStringFile";
            try
            {
                value = File.ReadAllText(file).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                throw new ConfigurationException(key, $"cannot read the file ({e.GetType().Name})");
            }
        }
        else
        {
            key = $"{prefix}:ConnectionString";
            value = o.ConnectionString?.Trim() ?? string.Empty;
        }

        if (value.Length == 0)
        {
            throw new ConfigurationException(key, "required (or ConnectionStringFile), not empty");
        }

        try
        {
            if (kind == ProbeKind.Redis)
            {
                _ = ConfigurationOptions.Parse(value);
            }
            else
            {
                _ = new NpgsqlConnectionStringBuilder(value);
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or NotSupportedException or KeyNotFoundException or InvalidOperationException)
        {
            // The parser's message may quote the string: say only that it is malformed.
            throw new ConfigurationException(key, $"not a valid {(kind == ProbeKind.Redis ? "StackExchange.Redis" : "Npgsql")} connection string");
        }

        return new Secret(value);
    }

    private static Uri HttpUrl(ProbeOptions o, string prefix)
    {
        if (string.IsNullOrWhiteSpace(o.Url) || !Uri.TryCreate(o.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ConfigurationException($"{prefix}:Url", "required: an absolute http:// or https:// URL");
        }

        return url;
    }

    private static StatusRanges Expected(ProbeOptions o, string prefix)
    {
        if (o.ExpectedStatus is null)
        {
            return StatusRanges.Default;
        }

        return StatusRanges.TryParse(o.ExpectedStatus, out var ranges)
            ? ranges
            : throw new ConfigurationException($"{prefix}:ExpectedStatus", "must be status codes or ranges, e.g. 200-399 or 200,204");
    }

    private static ProbeDefinition Tcp(ProbeDefinition d, ProbeOptions o, string prefix)
    {
        if (string.IsNullOrWhiteSpace(o.Host))
        {
            throw new ConfigurationException($"{prefix}:Host", "required for a tcp probe");
        }

        if (o.Port is not (>= 1 and <= 65535))
        {
            throw new ConfigurationException($"{prefix}:Port", "required: 1 to 65535");
        }

        return d with { Host = o.Host.Trim(), Port = o.Port.Value, Send = Unescape(o.Send), Expect = Unescape(o.Expect) };
    }

    private static string? Unescape(string? s) =>
        s?.Replace("\\r", "\r", StringComparison.Ordinal).Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\t", "\t", StringComparison.Ordinal);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex ProbeName();
}
