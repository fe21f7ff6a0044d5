using Agent.Configuration;
using Agent.Diagnostics;

namespace Agent.Profiling;

/// <summary>
/// <c>kind=profile</c> as an artifact (<c>POST /diag/profile</c>, a trigger's <c>Actions=profile</c>):
/// the windows kept over the last 15 minutes — what the target did before the firing — and one
/// window recorded now (<c>seconds</c>, else Profiling:Window), merged into one pprof file. When a
/// loop window of the target is running the kept ones are stored alone, never nothing silently.
/// </summary>
internal sealed class ProfileCapture(TargetProfiler profiler, ProfileStore store, ProfilingSettings settings) : ICapture
{
    public ArtifactKind Kind => ArtifactKind.Profile;

    public ArtifactFormat Format(DiagnosticTarget target) => ArtifactFormat.Pprof;

    public string? Unsupported(DiagnosticTarget target, CaptureRequest request) => profiler.Unsupported(target);

    // At most MaxWindows + 1 windows of MaxStacks stacks, merged: well under a MiB compressed.
    public long EstimateBytes(DiagnosticTarget target, CaptureRequest request) => 1024 * 1024;

    public async Task RunAsync(DiagnosticTarget target, CaptureRequest request, string path, long maxBytes, CancellationToken cancellationToken)
    {
        var windows = new List<CpuProfile>(store.Since(target.Name, ProfilingSettings.Kept));
        var before = windows.Count;
        if (await profiler.RecordAsync(target, request.Duration ?? settings.Window, cancellationToken) is { } now)
        {
            windows.Add(now);
        }

        if (windows.Count == 0)
        {
            throw new CaptureFailedException("no window is kept and another window of this target is running; try again when it ends");
        }

        var comment = $"{before} kept windows of {target.Name} and {(windows.Count > before ? "one recorded now" : "none recorded now (a loop window was running)")}";
        await File.WriteAllBytesAsync(path, PprofWriter.Write(CpuProfile.Merge(windows), comment), cancellationToken);
    }
}
