using System.Text.RegularExpressions;
using Agent.Common;
using Agent.Probes;

namespace Agent.Configuration;

/// <summary>
/// All of the agent's own configuration, bound (source-generated binder) and validated once at
/// startup. Any problem throws <see cref="ConfigurationException"/> naming the key: the agent
/// never starts half-configured.
/// </summary>
internal sealed record AgentSettings(TargetOptions Target, SamplingOptions Sampling, ReadinessOptions Readiness, IReadOnlyList<ProbeDefinition> Probes, RuntimeOptions Runtime, OtlpOptions Otlp, Secret? MetricsToken, DiagnosticsSettings Diagnostics)
{
    /// <summary><c>Triggers:&lt;name&gt;:*</c>, evaluated on every sampling tick.</summary>
    public IReadOnlyList<TriggerDefinition> Triggers { get; init; } = [];

    public static AgentSettings Load(IConfiguration configuration)
    {
        KnownKeys.Validate(configuration);
        var target = Bind(TargetOptions.Section, () => configuration.GetSection(TargetOptions.Section).Get<TargetOptions>() ?? new());
        var sampling = Bind(SamplingOptions.Section, () => configuration.GetSection(SamplingOptions.Section).Get<SamplingOptions>() ?? new());
        var readiness = Bind(ReadinessOptions.Section, () => configuration.GetSection(ReadinessOptions.Section).Get<ReadinessOptions>() ?? new());
        Validate(target);
        Validate(sampling);
        var probes = ProbeSettings.Load(configuration);
        var runtime = Bind(RuntimeOptions.Section, () => configuration.GetSection(RuntimeOptions.Section).Get<RuntimeOptions>() ?? new());
        Validate(runtime);
        var otlp = Bind(OtlpOptions.Section, () => configuration.GetSection(OtlpOptions.Section).Get<OtlpOptions>() ?? new());
        Validate(otlp);
        var security = Bind(SecurityOptions.Section, () => configuration.GetSection(SecurityOptions.Section).Get<SecurityOptions>() ?? new());
        var metricsToken = LoadToken(security.MetricsToken, security.MetricsTokenFile, "MetricsToken");
        var diagnostics = DiagnosticsSettings.Create(
            Bind(DiagnosticsOptions.Section, () => configuration.GetSection(DiagnosticsOptions.Section).Get<DiagnosticsOptions>() ?? new()),
            LoadToken(security.DiagnosticsToken, security.DiagnosticsTokenFile, "DiagnosticsToken"),
            metricsToken);
        // Until targets are named, the single Target:* selector's target is the only one.
        var triggers = TriggerSettings.Load(configuration, sampling.Interval, [TriggerSettings.DefaultTarget], _ => TargetRuntimeGuess.WhyNoDotnet(target, runtime));
        return new AgentSettings(target, sampling, readiness, probes, runtime, otlp, metricsToken, diagnostics) { Triggers = triggers };
    }

    /// <summary>The compiled selector pattern; validated in <see cref="Validate(TargetOptions)"/>.</summary>
    public static Regex CompilePattern(string pattern) =>
        new(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));

    /// <summary>Runs one source-generated binder call, turning its errors into <see cref="ConfigurationException"/>.</summary>
    internal static T Bind<T>(string section, Func<T> bind)
    {
        try
        {
            return bind();
        }
        catch (InvalidOperationException e)
        {
            // The binder's message is "Failed to convert configuration value '<v>' at '<key>' to type '<t>'".
            // Report the key and type, but not the value: it may be a secret.
            var match = Regex.Match(e.Message, "at '(?<key>[^']+)' to type '(?<type>[^']+)'", RegexOptions.None, TimeSpan.FromSeconds(1));
            if (match.Success)
            {
                throw new ConfigurationException(match.Groups["key"].Value, $"not a valid {FriendlyType(match.Groups["type"].Value)}");
            }

            throw new ConfigurationException(section, e.Message);
        }
    }

    private static string FriendlyType(string clrType) => clrType switch
    {
        _ when clrType.Contains("TimeSpan", StringComparison.Ordinal) => "duration (hh:mm:ss[.fff], e.g. 00:00:01)",
        _ when clrType.Contains("Int32", StringComparison.Ordinal) || clrType.Contains("Int64", StringComparison.Ordinal) => "whole number",
        _ when clrType.Contains("Boolean", StringComparison.Ordinal) => "boolean (true or false)",
        _ when clrType.Contains("Double", StringComparison.Ordinal) => "number",
        _ => clrType,
    };

    private static void Validate(TargetOptions t)
    {
        const string s = TargetOptions.Section;
        var set = new List<string>();
        if (t.Pid is not null)
        {
            set.Add($"{s}:Pid");
            if (t.Pid <= 0)
            {
                throw new ConfigurationException($"{s}:Pid", "must be a positive process id");
            }
        }

        if (t.PidFile is not null)
        {
            set.Add($"{s}:PidFile");
            if (string.IsNullOrWhiteSpace(t.PidFile))
            {
                throw new ConfigurationException($"{s}:PidFile", "must be a file path, not empty");
            }
        }

        if (t.ProcessName is not null)
        {
            set.Add($"{s}:ProcessName");
            if (string.IsNullOrWhiteSpace(t.ProcessName) || t.ProcessName.Contains('/', StringComparison.Ordinal))
            {
                throw new ConfigurationException($"{s}:ProcessName", "must be a process or executable file name (no '/'), not empty");
            }
        }

        if (t.CommandLinePattern is not null)
        {
            set.Add($"{s}:CommandLinePattern");
            if (string.IsNullOrWhiteSpace(t.CommandLinePattern))
            {
                throw new ConfigurationException($"{s}:CommandLinePattern", "must be a regular expression, not empty");
            }

            try
            {
                _ = CompilePattern(t.CommandLinePattern);
            }
            catch (ArgumentException e)
            {
                throw new ConfigurationException($"{s}:CommandLinePattern", $"invalid regular expression: {e.Message}");
            }
        }

        if (t.Auto)
        {
            set.Add($"{s}:Auto");
        }

        if (set.Count > 1)
        {
            throw new ConfigurationException(set[1], $"only one target selector may be set, found {string.Join(" and ", set)}");
        }
    }

    /// <summary>A bearer token (metrics or diagnostics), from the value or the file; never echoed in an error.</summary>
    private static Secret? LoadToken(string? value, string? file, string key)
    {
        var valueKey = $"{SecurityOptions.Section}:{key}";
        var fileKey = $"{SecurityOptions.Section}:{key}File";
        if (value is not null && file is not null)
        {
            throw new ConfigurationException(fileKey, $"set either {key} or {key}File, not both");
        }

        var token = value;
        if (file is not null)
        {
            try
            {
                token = File.ReadAllText(file).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                throw new ConfigurationException(fileKey, $"cannot read the file ({e.GetType().Name})");
            }
        }

        if (token is not null && (token.Length < 16 || token.Any(char.IsWhiteSpace)))
        {
            throw new ConfigurationException(file is null ? valueKey : fileKey, "a token must be at least 16 characters, without spaces");
        }

        return token is null ? null : new Secret(token);
    }

    private static void Validate(OtlpOptions o)
    {
        const string s = OtlpOptions.Section;
        if (o.Endpoint is not null && (!Uri.TryCreate(o.Endpoint, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            throw new ConfigurationException($"{s}:Endpoint", "must be an absolute http:// or https:// URL");
        }

        if (o.Protocol is not ("http/protobuf" or "grpc"))
        {
            throw new ConfigurationException($"{s}:Protocol", "must be http/protobuf or grpc");
        }

        if (o.ExportInterval < TimeSpan.FromMilliseconds(100) || o.ExportInterval > TimeSpan.FromHours(1))
        {
            throw new ConfigurationException($"{s}:ExportInterval", "must be between 00:00:00.100 and 01:00:00");
        }
    }

    private static void Validate(RuntimeOptions o)
    {
        const string s = RuntimeOptions.Section;
        if (o.MetricsUrl is not null
            && (!Uri.TryCreate(o.MetricsUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            throw new ConfigurationException($"{s}:MetricsUrl", "must be an absolute http:// or https:// URL");
        }

        try
        {
            _ = CompilePattern(o.MetricsInclude);
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException($"{s}:MetricsInclude", $"invalid regular expression: {e.Message}");
        }

        if (o.MetricsTimeout <= TimeSpan.Zero || o.MetricsTimeout > TimeSpan.FromSeconds(30))
        {
            throw new ConfigurationException($"{s}:MetricsTimeout", "must be more than 0 and at most 00:00:30");
        }

        if (o.Dotnet.DiagnosticPort is { } port && (string.IsNullOrWhiteSpace(port) || !Path.IsPathRooted(port)))
        {
            throw new ConfigurationException($"{s}:Dotnet:DiagnosticPort", "must be an absolute socket path");
        }
    }

    private static void Validate(SamplingOptions o)
    {
        if (o.Interval < TimeSpan.FromMilliseconds(50) || o.Interval > TimeSpan.FromHours(1))
        {
            throw new ConfigurationException($"{SamplingOptions.Section}:Interval", "must be between 00:00:00.050 and 01:00:00");
        }

        if (string.IsNullOrWhiteSpace(o.ProcRoot) || !Path.IsPathRooted(o.ProcRoot))
        {
            throw new ConfigurationException($"{SamplingOptions.Section}:ProcRoot", "must be an absolute path");
        }

        if (!Directory.Exists(o.ProcRoot))
        {
            throw new ConfigurationException($"{SamplingOptions.Section}:ProcRoot", "directory does not exist (is procfs mounted there?)");
        }
    }
}
