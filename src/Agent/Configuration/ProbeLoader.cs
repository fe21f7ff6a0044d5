using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Agent.Common;
using Npgsql;
using StackExchange.Redis;

namespace Agent.Configuration;

/// <summary>
/// Reads and validates <c>Probes:&lt;name&gt;:*</c>. Every problem names its key; no value of a
/// connection string is ever echoed (it may hold a password).
/// </summary>
internal static partial class ProbeLoader
{
    /// <summary>The keys of each kind beside <see cref="CommonKeys"/>: names of <see cref="ProbeOptions"/> properties.</summary>
    public static readonly IReadOnlyDictionary<ProbeKind, string[]> KeysByKind = new Dictionary<ProbeKind, string[]>
    {
        [ProbeKind.Redis] = [nameof(ProbeOptions.ConnectionString), nameof(ProbeOptions.ConnectionStringFile), nameof(ProbeOptions.CaFile)],
        [ProbeKind.Postgres] = [nameof(ProbeOptions.ConnectionString), nameof(ProbeOptions.ConnectionStringFile), nameof(ProbeOptions.CaFile)],
        [ProbeKind.Http] = [nameof(ProbeOptions.Url), nameof(ProbeOptions.ExpectedStatus), nameof(ProbeOptions.CaFile)],
        [ProbeKind.Tcp] = [nameof(ProbeOptions.Host), nameof(ProbeOptions.Port), nameof(ProbeOptions.Send), nameof(ProbeOptions.Expect)],
        [ProbeKind.Grpc] = [nameof(ProbeOptions.Address), nameof(ProbeOptions.Service), nameof(ProbeOptions.CaFile)],
    };

    /// <summary>Keys every probe takes.</summary>
    public static readonly string[] CommonKeys = [nameof(ProbeOptions.Kind), nameof(ProbeOptions.Timeout), nameof(ProbeOptions.Period), nameof(ProbeOptions.Critical), nameof(ProbeOptions.FailureThreshold), nameof(ProbeOptions.SuccessThreshold)];

    /// <summary>Upper bound of both thresholds: beyond it /ready would lag a real outage by hours at long periods.</summary>
    private const int MaxThreshold = 100;

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
        if (!Names.IsValid(name))
        {
            throw new ConfigurationException(prefix, Names.Rule("probe"));
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
            "grpc" => ProbeKind.Grpc,
            null or "" => throw new ConfigurationException(ConfigKey.Of(prefix, nameof(o.Kind)), "required: redis, postgres, http, tcp or grpc"),
            _ => throw new ConfigurationException(ConfigKey.Of(prefix, nameof(o.Kind)), "must be redis, postgres, http, tcp or grpc"),
        };

        var allowed = CommonKeys.Concat(KeysByKind[kind]).ToArray();
        foreach (var child in section.GetChildren())
        {
            if (!allowed.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                throw new ConfigurationException(child.Path, $"not a key of a {o.Kind} probe; its keys are {string.Join(", ", allowed)}");
            }
        }

        // 10 ms: below it no connect, let alone an answer, completes on a busy node: a probe that can never pass.
        Bounds.Within(o.Timeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1), ConfigKey.Of(prefix, nameof(o.Timeout)));
        Bounds.Within(o.Period, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1), ConfigKey.Of(prefix, nameof(o.Period)));
        if (o.Timeout > o.Period)
        {
            throw new ConfigurationException(ConfigKey.Of(prefix, nameof(o.Timeout)), "must not be longer than Period (at most one check in flight)");
        }

        foreach (var (key, value) in new[] { (nameof(o.FailureThreshold), o.FailureThreshold), (nameof(o.SuccessThreshold), o.SuccessThreshold) })
        {
            if (value is < 1 or > MaxThreshold)
            {
                throw new ConfigurationException(ConfigKey.Of(prefix, key), $"must be between 1 and {MaxThreshold}");
            }
        }

        var d = new ProbeDefinition(name, kind, o.Timeout, o.Period, o.Critical, FailureThreshold: o.FailureThreshold, SuccessThreshold: o.SuccessThreshold);
        return kind switch
        {
            ProbeKind.Redis or ProbeKind.Postgres => d with { ConnectionString = ConnectionString(o, prefix, kind), CaCertificates = CaFile(o, prefix) },
            ProbeKind.Http => d with { Url = HttpUrl.Require(o.Url, ConfigKey.Of(prefix, nameof(o.Url)), credentials: "Basic authentication"), ExpectedStatus = Expected(o, prefix), CaCertificates = CaFile(o, prefix) },
            ProbeKind.Grpc => d with { Url = GrpcAddress(o, prefix), Service = o.Service?.Trim() ?? string.Empty, CaCertificates = CaFile(o, prefix) },
            _ => Tcp(d, o, prefix),
        };
    }

    private static Secret ConnectionString(ProbeOptions o, string prefix, ProbeKind kind)
    {
        var secret = SecretSource.Read(o.ConnectionString, o.ConnectionStringFile, ConfigKey.Of(prefix, nameof(o.ConnectionString)), ConfigKey.Of(prefix, nameof(o.ConnectionStringFile)), out var key);
        var value = secret?.Reveal().Trim() ?? string.Empty;
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
            else if (new NpgsqlConnectionStringBuilder(value).RootCertificate is not null)
            {
                // The probe verifies certificates itself (system store plus CaFile), which Npgsql refuses beside its own root file.
                throw new ConfigurationException(key, $"'Root Certificate' is not supported: put the CA certificates (PEM) in {ConfigKey.Of(prefix, nameof(o.CaFile))}");
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or NotSupportedException or KeyNotFoundException or InvalidOperationException)
        {
            // The parser's message may quote the string: say only that it is malformed.
            throw new ConfigurationException(key, $"not a valid {(kind == ProbeKind.Redis ? "StackExchange.Redis" : "Npgsql")} connection string");
        }

        return new Secret(value);
    }

    /// <summary>A gRPC server's address: scheme, host and port only (the health method has a fixed path).</summary>
    private static Uri GrpcAddress(ProbeOptions o, string prefix)
    {
        if (string.IsNullOrWhiteSpace(o.Address) || !Uri.TryCreate(o.Address, UriKind.Absolute, out var url)
            || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps) || url.AbsolutePath != "/" || !string.IsNullOrEmpty(url.Query))
        {
            throw new ConfigurationException(ConfigKey.Of(prefix, nameof(o.Address)), "required: http://host:port (plaintext HTTP/2) or https://host:port, without a path");
        }

        return url;
    }

    /// <summary>The private CA certificates of <c>CaFile</c>, loaded once at startup.</summary>
    private static X509Certificate2Collection? CaFile(ProbeOptions o, string prefix)
    {
        if (o.CaFile is null)
        {
            return null;
        }

        var key = ConfigKey.Of(prefix, nameof(o.CaFile));
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(o.CaFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or CryptographicException)
        {
            throw new ConfigurationException(key, $"{ConfigPath.CannotRead(o.CaFile, e)}: expected PEM certificates");
        }

        return certificates.Count > 0
            ? certificates
            : throw new ConfigurationException(key, $"{ConfigPath.Full(o.CaFile)} holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }

    private static StatusRanges Expected(ProbeOptions o, string prefix)
    {
        if (o.ExpectedStatus is null)
        {
            return StatusRanges.Default;
        }

        return StatusRanges.TryParse(o.ExpectedStatus, out var ranges)
            ? ranges
            : throw new ConfigurationException(ConfigKey.Of(prefix, nameof(o.ExpectedStatus)), "must be status codes or ranges, e.g. 200-399 or 200,204");
    }

    private static ProbeDefinition Tcp(ProbeDefinition d, ProbeOptions o, string prefix)
    {
        if (string.IsNullOrWhiteSpace(o.Host))
        {
            throw new ConfigurationException(ConfigKey.Of(prefix, nameof(o.Host)), "required for a tcp probe");
        }

        if (o.Port is not (>= 1 and <= 65535))
        {
            throw new ConfigurationException(ConfigKey.Of(prefix, nameof(o.Port)), "required: 1 to 65535");
        }

        return d with { Host = o.Host.Trim(), Port = o.Port.Value, Send = Unescape(o.Send), Expect = Unescape(o.Expect) };
    }

    private static string? Unescape(string? s) =>
        s?.Replace("\\r", "\r", StringComparison.Ordinal).Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\t", "\t", StringComparison.Ordinal);
}
