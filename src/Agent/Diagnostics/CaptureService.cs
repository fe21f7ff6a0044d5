using System.Diagnostics;
using Agent.Configuration;

namespace Agent.Diagnostics;

/// <summary>
/// Starts captures for HTTP requests and triggers alike: <see cref="Start"/> checks the target,
/// the kind, one-capture-per-target, the budget and the free space (through the
/// <see cref="ArtifactStore"/>), then runs the capture in the background and answers at once with
/// the running entry or the refusal. Every outcome is counted in
/// <c>agent_diagnostics_captures_total{target,kind,trigger,result}</c>.
/// </summary>
internal sealed class CaptureService
{
    private readonly ArtifactStore _store;
    private readonly DiagnosticTargets _targets;
    private readonly Dictionary<ArtifactKind, ICapture> _captures;
    private readonly CaptureTotals _totals;
    private readonly DiagnosticsSettings _settings;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource<ArtifactEntry>> _running = new(StringComparer.Ordinal);

    public CaptureService(
        ArtifactStore store,
        DiagnosticTargets targets,
        IEnumerable<ICapture> captures,
        CaptureTotals totals,
        DiagnosticsSettings settings,
        ILogger<CaptureService> logger,
        IHostApplicationLifetime lifetime)
    {
        _store = store;
        _targets = targets;
        _captures = captures.ToDictionary(c => c.Kind);
        _totals = totals;
        _settings = settings;
        _logger = logger;
        _stopping = lifetime.ApplicationStopping;
    }

    /// <summary>Kinds this agent build can capture.</summary>
    public IEnumerable<ArtifactKind> Kinds => _captures.Keys;

    public ICapture? Capture(ArtifactKind kind) => _captures.GetValueOrDefault(kind);

    /// <summary>Starts a capture, or says why not. Never blocks on the capture itself.</summary>
    public CaptureResult Start(CaptureRequest request)
    {
        var result = TryStart(request, out var target, out var capture);
        if (result.Refusal is { } refusal)
        {
            _totals.Captured(request.Target, request.Kind, request.Trigger, "refused");
            DiagnosticsLog.CaptureRefused(_logger, ArtifactStore.Name(request.Kind), request.Target, refusal.Reason.ToString(), refusal.Message);
            return result;
        }

        var entry = result.Entry!;
        _running[entry.Id] = new TaskCompletionSource<ArtifactEntry>(TaskCreationOptions.RunContinuationsAsynchronously);
        DiagnosticsLog.CaptureStarted(_logger, entry.Id, ArtifactStore.Name(entry.Kind), entry.Target, entry.Trigger);
        _ = Task.Run(() => RunAsync(entry, target!, capture!, request), CancellationToken.None);
        return result;
    }

    /// <summary>The finished entry of a capture (done or failed); null for an unknown id.</summary>
    public Task<ArtifactEntry>? WhenFinished(string id) =>
        _running.TryGetValue(id, out var done) ? done.Task
        : _store.Find(id) is { State: not ArtifactState.Running } finished ? Task.FromResult(finished)
        : null;

    private CaptureResult TryStart(CaptureRequest request, out DiagnosticTarget? target, out ICapture? capture)
    {
        target = null;
        if (!_captures.TryGetValue(request.Kind, out capture))
        {
            return CaptureResult.Refused(CaptureRefusalReason.Unsupported, $"this agent cannot capture {ArtifactStore.Name(request.Kind)}");
        }

        if (request.Duration is { } d && (d <= TimeSpan.Zero || d > _settings.MaxTraceDuration))
        {
            return CaptureResult.Refused(CaptureRefusalReason.BadRequest, $"seconds must be more than 0 and at most {_settings.MaxTraceDuration.TotalSeconds} (Diagnostics:MaxTraceDuration)");
        }

        target = _targets.Find(request.Target);
        if (target is null)
        {
            return CaptureResult.Refused(CaptureRefusalReason.UnknownTarget, $"no target named '{request.Target}' is present (known: {string.Join(", ", _targets.Names)})");
        }

        if (capture.Unsupported(target, request) is { } why)
        {
            return CaptureResult.Refused(CaptureRefusalReason.Unsupported, why);
        }

        return _store.Reserve(target.Name, request.Kind, capture.Format(target), request.Trigger, capture.EstimateBytes(target, request));
    }

    private async Task RunAsync(ArtifactEntry entry, DiagnosticTarget target, ICapture capture, CaptureRequest request)
    {
        var started = Stopwatch.GetTimestamp();
        var kind = ArtifactStore.Name(entry.Kind);
        ArtifactEntry finished = entry;
        try
        {
            // A capture that hangs (a frozen runtime) must not hold the target's slot forever.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
            timeout.CancelAfter((request.Duration ?? TimeSpan.Zero) + TimeSpan.FromMinutes(5));
            await capture.RunAsync(target, request, _store.PathOf(entry), _settings.MaxBytes, timeout.Token);
            var done = finished = _store.Complete(entry.Id);
            if (done.State == ArtifactState.Done)
            {
                _totals.Captured(entry.Target, entry.Kind, entry.Trigger, "done");
                DiagnosticsLog.CaptureDone(_logger, entry.Id, kind, entry.Target, done.Bytes, Stopwatch.GetElapsedTime(started).TotalSeconds);
            }
            else
            {
                _totals.Captured(entry.Target, entry.Kind, entry.Trigger, "failed");
                DiagnosticsLog.CaptureFailed(_logger, entry.Id, kind, entry.Target, done.Error ?? "failed");
            }
        }
        catch (Exception e)
        {
            // Only the exception's type and message: never anything read from the target.
            var error = e is CaptureFailedException ? e.Message : e is OperationCanceledException ? "timed out or the agent is stopping" : $"{e.GetType().Name}: {e.Message}";
            finished = _store.Fail(entry.Id, error);
            _totals.Captured(entry.Target, entry.Kind, entry.Trigger, "failed");
            DiagnosticsLog.CaptureFailed(_logger, entry.Id, kind, entry.Target, error);
        }
        finally
        {
            if (_running.TryRemove(entry.Id, out var done))
            {
                done.TrySetResult(finished);
            }
        }
    }
}
