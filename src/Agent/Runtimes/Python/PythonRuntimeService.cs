using Agent.Configuration;
using Agent.Logging;
using Agent.Procfs;
using Agent.Sampling;

namespace Agent.Runtimes.Python;

/// <summary>
/// Reads every target's Python collector through its hook once per sampling interval (a
/// <c>gc</c> request: ~1 ms of the target's time, no tracing) and publishes it to the
/// <see cref="PythonGcStore"/>; <c>Telemetry/RuntimeMetrics</c> exports it as
/// <c>target_python_*</c>. Looks only at the sampling loop's last snapshot and, per member, two to
/// four existence checks for the hook's socket; a tree target's members come from one /proc scan.
/// Requests to all members run at once under one deadline (at most the interval, at most 1 s), so
/// a stalled hook only costs its own target its values for that interval.
/// </summary>
internal sealed partial class PythonRuntimeService(
    SamplingOptions sampling,
    TargetSnapshotStore targets,
    ProcFs fs,
    PythonGcStore store,
    TimeProvider time,
    RepeatGate gate,
    ILogger<PythonRuntimeService> logger) : BackgroundService
{
    private readonly Dictionary<string, (ProcessIdentity Root, PythonGcTotals Totals)> _totals = new(StringComparer.Ordinal);
    private readonly Dictionary<ProcessIdentity, bool> _looksPython = [];
    private readonly HashSet<ProcessIdentity> _announced = [];

    private TimeSpan Deadline => sampling.Interval < TimeSpan.FromSeconds(1) ? sampling.Interval : TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(sampling.Interval, time);
        do
        {
            try
            {
                store.Publish(await ReadAsync(targets.Current, stoppingToken));
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                if (gate.ShouldLog("python:tick", out var suppressed))
                {
                    RuntimesLog.ReadFailed(logger, e, suppressed);
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One interval: every target with a process, each member with a hook asked at once.</summary>
    internal async Task<Dictionary<string, PythonGcSnapshot>> ReadAsync(SamplingSnapshot snapshot, CancellationToken ct)
    {
        ProcessTable? table = null;
        var result = new Dictionary<string, PythonGcSnapshot>(StringComparer.Ordinal);
        var reads = new List<Read>();
        var seen = new HashSet<ProcessIdentity>();
        foreach (var target in snapshot.Targets)
        {
            if (target.Sample is not { } sample)
            {
                continue;
            }

            foreach (var member in PythonTargetMembers.Of(sample.Identity, sample.ProcessCount, () => table ??= ProcessTable.Scan(fs)))
            {
                seen.Add(member);
                if (PythonHook.Find(fs.Process(member.Pid)) is { } socket)
                {
                    reads.Add(new Read(target.Name, member, AskAsync(target.Name, socket, member, ct)));
                }
            }
        }

        await Task.WhenAll(reads.Select(r => r.Answer));
        foreach (var read in reads)
        {
            if (read.Answer.Result is not null && _announced.Add(read.Member))
            {
                RuntimesLog.HookAnswered(logger, read.Target, read.Member.Pid);
            }
        }

        foreach (var target in snapshot.Targets)
        {
            if (target.Sample is not { } sample)
            {
                _totals.Remove(target.Name);
                continue;
            }

            var mine = reads.Where(r => r.Target == target.Name).ToList();
            var answered = mine.Where(r => r.Answer.Result is not null).ToList();
            if (answered.Count == 0)
            {
                if (mine.Count > 0 || LooksPython(sample.Identity))
                {
                    result[target.Name] = PythonGcSnapshot.Disconnected;
                }

                continue;
            }

            if (!_totals.TryGetValue(target.Name, out var totals) || totals.Root != sample.Identity)
            {
                totals = (sample.Identity, new PythonGcTotals());
                _totals[target.Name] = totals;
            }

            var generations = totals.Totals.Add([.. mine.Select(r => r.Member)], [.. mine.Select(r => r.Answer.Result?.Stats)]);
            result[target.Name] = new PythonGcSnapshot(
                true,
                generations,
                answered.Sum(r => r.Answer.Result!.Garbage),
                answered.Sum(r => r.Answer.Result!.Threads),
                answered.Count);
        }

        _looksPython.Keys.Where(k => !seen.Contains(k)).ToList().ForEach(k => _looksPython.Remove(k));
        _announced.RemoveWhere(k => !seen.Contains(k));
        return result;
    }

    private async Task<PythonGc?> AskAsync(string target, string socket, ProcessIdentity member, CancellationToken ct)
    {
        var key = $"python:{target}";
        try
        {
            var gc = await PythonHookRequests.GcAsync(socket, member.Pid, Deadline, ct);
            gate.Reset(key);
            return gc;
        }
        catch (PythonHookException e)
        {
            if (e.Failure != PythonHookFailure.Gone && gate.ShouldLog(key, out var suppressed))
            {
                RuntimesLog.HookFailed(logger, target, member.Pid, e.Message, suppressed);
            }

            return null;
        }
    }

    private bool LooksPython(ProcessIdentity identity)
    {
        if (!_looksPython.TryGetValue(identity, out var python))
        {
            python = _looksPython[identity] = PythonTargetMembers.LooksPython(fs.Process(identity.Pid));
        }

        return python;
    }

    private sealed record Read(string Target, ProcessIdentity Member, Task<PythonGc?> Answer);
}
