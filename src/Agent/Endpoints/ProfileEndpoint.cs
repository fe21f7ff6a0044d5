using System.Globalization;
using Agent.Configuration;
using Agent.Diagnostics;
using Agent.Profiling;

namespace Agent.Endpoints;

/// <summary>
/// <c>GET /diag/profile?target=app&amp;seconds=N</c>: a window recorded now (N from 1 to
/// Diagnostics:MaxTraceDuration, default Profiling:Window), or <c>since=15m</c> (or <c>Ns</c>,
/// up to 15 minutes): the kept windows merged. Answers pprof (gzipped profile.proto).
/// </summary>
internal static class ProfileEndpoint
{
    public static async Task<IResult> Handle(HttpContext context, TargetProfiler profiler, ProfileStore store, ProfilingSettings settings, DiagnosticsSettings diagnostics)
    {
        var query = context.Request.Query;
        var name = DiagnosticsEndpoints.TargetName(context);
        if (profiler.Find(name) is not { } target)
        {
            return DiagnosticsEndpoints.Refusal(new CaptureRefusal(CaptureRefusalReason.UnknownTarget, $"no target named '{name}' is present (known: {string.Join(", ", profiler.Names)})"));
        }

        if (query["since"] is { Count: > 0 } since)
        {
            if (query["seconds"].Count > 0)
            {
                return Bad("give seconds (a window now) or since (the kept windows), not both");
            }

            if (!TryParseSince(since[0], out var back) || back > ProfilingSettings.Kept)
            {
                return Bad($"since must be a whole number of seconds or minutes (30s, 15m), at most {ProfilingSettings.Kept.TotalMinutes:F0}m");
            }

            var kept = store.Since(target.Name, back);
            if (kept.Count == 0)
            {
                return DiagnosticsEndpoints.Refusal(new CaptureRefusal(CaptureRefusalReason.Unsupported, settings.Enabled
                    ? $"no window of '{name}' kept in the last {since[0]} yet (one every {settings.Interval}); ask for seconds=N to record one now"
                    : "Profiling:Enabled is false: no windows are kept; ask for seconds=N to record one now"));
            }

            return Pprof(CpuProfile.Merge(kept), name, $"{kept.Count} kept windows of {name}");
        }

        var window = settings.Window;
        if (query["seconds"] is { Count: > 0 } seconds)
        {
            if (!int.TryParse(seconds[0], NumberStyles.None, CultureInfo.InvariantCulture, out var s) || s < 1 || s > diagnostics.MaxTraceDuration.TotalSeconds)
            {
                return Bad($"seconds must be a whole number from 1 to {diagnostics.MaxTraceDuration.TotalSeconds} (Diagnostics:MaxTraceDuration)");
            }

            window = TimeSpan.FromSeconds(s);
        }

        if (profiler.Unsupported(target) is { } why)
        {
            return DiagnosticsEndpoints.Refusal(new CaptureRefusal(CaptureRefusalReason.Unsupported, why));
        }

        CpuProfile? profile;
        try
        {
            profile = await profiler.RecordAsync(target, window, context.RequestAborted);
        }
        catch (Exception e) when (e is CaptureFailedException or InvalidOperationException or IOException or TimeoutException or Microsoft.Diagnostics.NETCore.Client.ServerNotAvailableException)
        {
            return DiagnosticsEndpoints.Refusal(new CaptureRefusal(CaptureRefusalReason.Unsupported, $"the window could not be recorded: {e.Message}"));
        }

        return profile is null
            ? DiagnosticsEndpoints.Refusal(new CaptureRefusal(CaptureRefusalReason.Busy, $"a profiling window of '{name}' is running; try again when it ends"))
            : Pprof(profile, name, $"{window.TotalSeconds:F0} s window of {name}");
    }

    private static IResult Pprof(CpuProfile profile, string target, string comment) =>
        Results.File(PprofWriter.Write(profile, comment), "application/octet-stream", $"{target}-cpu.pb.gz");

    private static IResult Bad(string message) => DiagnosticsEndpoints.Refusal(new CaptureRefusal(CaptureRefusalReason.BadRequest, message));

    internal static bool TryParseSince(string? text, out TimeSpan since)
    {
        since = default;
        if (string.IsNullOrEmpty(text) || text.Length < 2)
        {
            return false;
        }

        if (!int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
        {
            return false;
        }

        since = text[^1] switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            _ => TimeSpan.Zero,
        };
        return since > TimeSpan.Zero;
    }
}
