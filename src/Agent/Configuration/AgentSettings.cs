using System.Text.RegularExpressions;
using Agent.Common;

namespace Agent.Configuration;

/// <summary>
/// All of the agent's own configuration, bound (source-generated binder), then parsed once at
/// startup into typed values (compiled patterns, URLs, enums, secrets) that the features use as
/// they are. Any problem throws <see cref="ConfigurationException"/> naming the key: the agent
/// never starts half-configured.
/// </summary>
internal sealed record AgentSettings(
    TargetSettings Target,
    SamplingOptions Sampling,
    ReadinessOptions Readiness,
    IReadOnlyList<ProbeDefinition> Probes,
    RuntimeSettings Runtime,
    OtlpSettings Otlp,
    TelemetrySettings Telemetry,
    Secret? MetricsToken,
    DiagnosticsSettings Diagnostics,
    TargetPlan Targets)
{
    /// <summary><c>Triggers:&lt;name&gt;:*</c>, evaluated on every sampling tick.</summary>
    public IReadOnlyList<TriggerDefinition> Triggers { get; init; } = [];

    /// <summary>The federation endpoints: <c>Runtime:MetricsUrl</c> (the primary target's) and every <c>Targets:&lt;name&gt;:MetricsUrl</c>.</summary>
    public IReadOnlyList<FederationEndpoint> Federation { get; init; } = [];

    /// <summary><c>Traffic:*</c>: the target's own requests (.NET meters, gunicorn's StatsD).</summary>
    public TrafficSettings Traffic { get; init; } = TrafficSettings.Default;

    /// <summary><c>Profiling:*</c>: the continuous CPU profiles' windows.</summary>
    public ProfilingSettings Profiling { get; init; } = ProfilingSettings.Default;

    public static AgentSettings Load(IConfiguration configuration)
    {
        KnownSections.Validate(configuration);
        KnownKeys.Validate(configuration);
        NameCase.RefuseCaseOnlyDuplicates(configuration);
        Durations.RefuseBareNumbers(configuration);
        // One Get<T>() call per options type, written out: the binder generator intercepts call
        // sites whose type it can see, and would not see through a generic helper.
        var target = TargetSettings.Parse(Bind(TargetOptions.Section, () => configuration.GetSection(TargetOptions.Section).Get<TargetOptions>() ?? new()));
        var targets = TargetPlan.Load(configuration, target);
        var sampling = Check(Bind(SamplingOptions.Section, () => configuration.GetSection(SamplingOptions.Section).Get<SamplingOptions>() ?? new()));
        var readiness = Bind(ReadinessOptions.Section, () => configuration.GetSection(ReadinessOptions.Section).Get<ReadinessOptions>() ?? new());
        var probes = ProbeLoader.Load(configuration);
        var runtime = RuntimeSettings.Parse(Bind(RuntimeOptions.Section, () => configuration.GetSection(RuntimeOptions.Section).Get<RuntimeOptions>() ?? new()));
        var otlp = OtlpSettings.Parse(Bind(OtlpOptions.Section, () => configuration.GetSection(OtlpOptions.Section).Get<OtlpOptions>() ?? new()));
        var telemetry = TelemetrySettings.Parse(Bind(TelemetryOptions.Section, () => configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new()));
        var security = Bind(SecurityOptions.Section, () => configuration.GetSection(SecurityOptions.Section).Get<SecurityOptions>() ?? new());
        var token = Token(security.MetricsToken, security.MetricsTokenFile, nameof(security.MetricsToken), nameof(security.MetricsTokenFile));
        var diagnostics = DiagnosticsSettings.Create(
            Bind(DiagnosticsOptions.Section, () => configuration.GetSection(DiagnosticsOptions.Section).Get<DiagnosticsOptions>() ?? new()),
            Token(security.DiagnosticsToken, security.DiagnosticsTokenFile, nameof(security.DiagnosticsToken), nameof(security.DiagnosticsTokenFile)),
            token);
        // Each trigger names the target it measures and captures: a configured one, or under Auto
        // any valid name (a discovered target is named after its comm).
        var triggers = TriggerLoader.Load(
            configuration,
            sampling.Interval,
            [.. targets.Targets.Select(t => t.Name)],
            targets.Auto,
            name => TargetRuntimeGuess.WhyNoDotnet(targets.Targets.FirstOrDefault(t => t.Name == name)?.Selector ?? target, runtime));
        var federation = FederationEndpoint.From(runtime, targets);
        var traffic = TrafficSettings.Parse(Bind(TrafficOptions.Section, () => configuration.GetSection(TrafficOptions.Section).Get<TrafficOptions>() ?? new()));
        var profiling = ProfilingSettings.Create(Bind(ProfilingOptions.Section, () => configuration.GetSection(ProfilingOptions.Section).Get<ProfilingOptions>() ?? new()));
        return new AgentSettings(target, sampling, readiness, probes, runtime, otlp, telemetry, token, diagnostics, targets) { Triggers = triggers, Federation = federation, Traffic = traffic, Profiling = profiling };
    }

    /// <summary>The compiled selector pattern (see <see cref="Patterns"/>).</summary>
    public static Regex CompilePattern(string pattern) => Patterns.Compile(pattern);

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
        _ when clrType.Contains("TimeSpan", StringComparison.Ordinal) => "duration: " + Durations.Forms,
        _ when clrType.Contains("Int32", StringComparison.Ordinal) || clrType.Contains("Int64", StringComparison.Ordinal) => "whole number",
        _ when clrType.Contains("Boolean", StringComparison.Ordinal) => "boolean (true or false)",
        _ when clrType.Contains("Double", StringComparison.Ordinal) => "number",
        _ => clrType,
    };

    /// <summary>A bearer token (metrics or diagnostics), from the value or the file; never echoed in an error.</summary>
    private static Secret? Token(string? value, string? file, string valueProperty, string fileProperty)
    {
        const string s = SecurityOptions.Section;
        var token = SecretSource.Read(value, file, ConfigKey.Of(s, valueProperty), ConfigKey.Of(s, fileProperty), out var key);
        if (token is not null && (token.Reveal().Length < 16 || token.Reveal().Any(char.IsWhiteSpace)))
        {
            throw new ConfigurationException(key, "a token must be at least 16 characters, without spaces");
        }

        return token;
    }

    private static SamplingOptions Check(SamplingOptions o)
    {
        static string Key(string property) => ConfigKey.Of(SamplingOptions.Section, property);
        Bounds.Within(o.Interval, TimeSpan.FromMilliseconds(50), TimeSpan.FromHours(1), Key(nameof(o.Interval)));
        Bounds.Within(o.CgroupInterval, TimeSpan.FromMilliseconds(50), TimeSpan.FromHours(1), Key(nameof(o.CgroupInterval)));
        if (string.IsNullOrWhiteSpace(o.ProcRoot) || !Path.IsPathRooted(o.ProcRoot))
        {
            throw new ConfigurationException(Key(nameof(o.ProcRoot)), "must be an absolute path");
        }

        if (!Directory.Exists(o.ProcRoot))
        {
            throw new ConfigurationException(Key(nameof(o.ProcRoot)), "directory does not exist (is procfs mounted there?)");
        }

        return o;
    }
}
