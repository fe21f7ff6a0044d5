using System.Globalization;
using System.Net.Sockets;
using Agent.Configuration;
using Agent.Procfs;
using Agent.Sampling;
using Agent.Traffic;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace Agent.Runtimes;

/// <summary>
/// Follows ONE target's process for the System.Runtime meter (interval = Sampling:Interval) and
/// publishes its counters under the target's name. Ends when the target has no process, or when
/// its process is gone (checked in /proc before every retry: a lost target is never retried); the
/// supervisor (<see cref="DotnetRuntimeService"/>) then starts a fresh follower for the next one, so
/// counters return within 3 intervals of a restart. While no socket is found, or the runtime is not
/// ready, it retries with backoff (a quarter interval doubling to one interval). A session the
/// runtime refuses (another tool holds its metrics source) or that stays silent is ended and
/// retried with a longer backoff (one interval doubling to 30 s) until counters flow; meanwhile the
/// reason is in <see cref="RuntimeStore.DotnetProblemOf"/> and said once in the log with its fix.
/// Connect mode finds the process's socket by its exact name (no directory listing) and connects to
/// it itself first — that socket is always disposed, so a stale or foreign socket file costs no
/// descriptor — before the diagnostics client connects; listen mode
/// (<c>Runtime:Dotnet:DiagnosticPort</c>) waits for the runtime to connect and always resumes it, so a
/// target configured without <c>nosuspend</c> is never left suspended. The agent as its own target
/// (connect mode) reads its meter in process instead of a session on itself (<see cref="RunInProcess"/>).
/// With <c>Traffic:Enabled</c> the same session carries the traffic instruments, folded by a
/// <see cref="DotnetTrafficReader"/> kept for the process across its sessions and published to the
/// <see cref="TrafficStore"/>.
/// </summary>
internal sealed partial class DotnetTargetSession(
    string name,
    DotnetRuntimeOptions options,
    TimeSpan interval,
    TargetSnapshotStore target,
    ProcFs procfs,
    RuntimeStore store,
    IAttachAdvisor advisor,
    TimeProvider time,
    ILogger<DotnetTargetSession> logger,
    TrafficSettings? trafficSettings = null,
    TrafficStore? traffic = null)
{
    // An attach is a connect, a handshake and a session start in the target: on a loaded node
    // that takes far longer than a short sampling interval, and an attempt cut at 2 intervals
    // (500 ms at 250 ms) may never succeed. The floor only bounds a hung attempt; a runtime
    // that is not up yet still fails at once and is retried within the backoff.
    private static readonly TimeSpan AttachTimeoutFloor = TimeSpan.FromSeconds(5);

    // The socket names of the followed process, computed once per process: a look is then only
    // two to four existence checks, however many targets are followed.
    private (ProcessIdentity Id, string[] Names)? _candidates;

    // Attaches to a process failing since: only a failure that outlasts the grace is worth a warning.
    private static readonly TimeSpan AttachFailureGrace = TimeSpan.FromSeconds(2);
    private (ProcessIdentity Id, DateTimeOffset At)? _failingSince;

    // The last problem said in the log: each is said once per process, not on every retry.
    private (ProcessIdentity Id, string Cause)? _told;

    // The traffic totals of the followed process, kept across its sessions (a refused one, then a new one).
    private (ProcessIdentity Id, DotnetTrafficReader Reader)? _traffic;
    private string? _toldLimit;

    /// <summary>How long a session may go without a value before it counts as silent and is restarted.</summary>
    internal TimeSpan SilenceLimit => MetricsSession.StaleAfter(interval) * 3;

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var backoff = interval / 4;
        var refusedBackoff = interval > TimeSpan.FromSeconds(1) ? interval : TimeSpan.FromSeconds(1);
        try
        {
            while (!stoppingToken.IsCancellationRequested && Current() is { } id && Alive(id))
            {
                Attempt attempt;
                try
                {
                    attempt = await RunSession(id, stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    attempt = Attempt.Failed(e);
                }
                finally
                {
                    store.Publish(name, (DotnetRuntimeSnapshot?)null); // no stale series once a session ends
                }

                if (!Alive(id))
                {
                    break; // lost (exit, kill): its stale socket is not retried and not complained about
                }

                TimeSpan wait;
                switch (attempt.Kind)
                {
                    case AttemptKind.Delivered:
                        _failingSince = null;
                        store.PublishProblem(name, null);
                        backoff = interval / 4;
                        refusedBackoff = interval > TimeSpan.FromSeconds(1) ? interval : TimeSpan.FromSeconds(1);
                        continue;
                    case AttemptKind.NoSocket:
                        wait = backoff;
                        if (Untold(id, "no-socket"))
                        {
                            var why = await advisor.ExplainAsync(id.Pid, stoppingToken);
                            store.PublishProblem(name, why);
                            RuntimesLog.DotnetSocketNotFound(logger, id.Pid, why?.Detail ?? "none found yet", why?.Fix ?? "none needed if the target is not .NET", interval);
                        }

                        backoff = Doubled(backoff, interval);
                        break;
                    case AttemptKind.Refused:
                        wait = refusedBackoff;
                        var problem = new DotnetSessionProblem(attempt.Reason!, RefusedFix, time.GetUtcNow());
                        store.PublishProblem(name, problem);
                        if (Untold(id, attempt.Reason!))
                        {
                            RuntimesLog.DotnetCountersRefused(logger, id.Pid, problem.Detail, problem.Fix!);
                        }

                        refusedBackoff = Doubled(refusedBackoff, MetricsSession.RefusedBackoffCeiling); // the other tool may run for hours
                        break;
                    default:
                        wait = backoff;
                        if (Persistent(id) && Untold(id, attempt.Reason!))
                        {
                            var explained = await advisor.ExplainAsync(id.Pid, stoppingToken)
                                ?? new DotnetSessionProblem(attempt.Reason!, "none known: the socket answers now; the agent retries", time.GetUtcNow());
                            store.PublishProblem(name, explained);
                            RuntimesLog.DotnetAttachFailed(logger, id.Pid, explained.Detail, explained.Fix ?? "none", attempt.Reason!);
                        }

                        backoff = Doubled(backoff, interval);
                        break;
                }

                await Task.Delay(wait, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
        finally
        {
            store.PublishProblem(name, null);
            traffic?.Remove(name, TrafficSource.Dotnet);
        }
    }

    private string RefusedFix => MetricsSession.RefusedFix(interval, options);

    /// <summary>
    /// True once attaches to this process have failed for <see cref="AttachFailureGrace"/>: a process
    /// that is exiting (its session just ended, its socket still refuses) or whose runtime is binding
    /// its socket fails once or twice and is gone or answering within it; on a loaded machine that
    /// took long enough to log a warning after a plain kill (seen once in 6 kill cycles).
    /// </summary>
    private bool Persistent(ProcessIdentity id)
    {
        var now = time.GetUtcNow();
        if (_failingSince is not { } since || since.Id != id)
        {
            _failingSince = (id, now);
            return false;
        }

        return now - since.At >= AttachFailureGrace;
    }

    private bool Untold(ProcessIdentity id, string cause)
    {
        if (_told == (id, cause))
        {
            return false;
        }

        _told = (id, cause);
        return true;
    }

    private static TimeSpan Doubled(TimeSpan backoff, TimeSpan ceiling) => TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, ceiling.Ticks));

    /// <summary>The process this follower is for: the target's current one, while it is still this target's.</summary>
    private ProcessIdentity? Current()
    {
        var followed = DotnetRuntimeService.Followed(target.Current, options.DiagnosticPort is not null);
        return followed.FirstOrDefault(t => t.Name == name)?.Sample?.Identity;
    }

    /// <summary>The process is still running in /proc (the sampler's snapshot lags by up to an interval).</summary>
    private bool Alive(ProcessIdentity id)
    {
        Span<byte> buffer = stackalloc byte[4096];
        return procfs.Process(id.Pid).ReadStat(buffer, out var stat, out _) == ProcReadStatus.Ok && stat.StartTimeTicks == id.StartTimeTicks && stat.IsAlive;
    }

    /// <summary>Runs one session until it ends, the target changes, the runtime refuses it or it stays silent.</summary>
    private async Task<Attempt> RunSession(ProcessIdentity id, CancellationToken stoppingToken)
    {
        var port = options.DiagnosticPort;
        if (port is null && id.Pid == Environment.ProcessId)
        {
            await RunInProcess(id, stoppingToken);
            return Attempt.Delivered;
        }

        using var attachTimeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var attachLimit = port is null ? 2 * interval : 3 * interval;
        attachTimeout.CancelAfter(attachLimit > AttachTimeoutFloor ? attachLimit : AttachTimeoutFloor);
        string transport;
        string endpoint;
        if (port is null)
        {
            if (Socket(id) is not { } socket)
            {
                return Attempt.NoSocket; // not a .NET process, or its runtime is not up yet
            }

            await ConnectCheck(socket, attachTimeout.Token);
            endpoint = socket + ",connect";
            transport = socket;
        }
        else
        {
            endpoint = port; // listen: the runtime connects to us
            transport = port + " (listen)";
        }

        await using var connector = await DiagnosticsClientConnector.FromDiagnosticPort(endpoint, attachTimeout.Token);
        var client = connector.Instance;
        if (port is not null)
        {
            ResumeIfSuspended(client);
        }

        var clientId = Guid.NewGuid().ToString("N");
        var withTraffic = trafficSettings is { Enabled: true } && traffic is not null;
        using var session = await client.StartEventPipeSessionAsync([MetricsSession.For(interval, clientId, options, withTraffic)], requestRundown: false, circularBufferMB: 4, attachTimeout.Token);

        var reader = new DotnetCounterReader(id.Pid, clientId, time);
        var trafficReader = withTraffic ? TrafficReader(id) : null;
        using var ended = new CancellationTokenSource(); // set before the entry is removed: a late event must not bring it back
        using var source = new EventPipeEventSource(session.EventStream);
        string? refusal = null;
        source.AllEvents += evt =>
        {
            // Both readers read the raw payloads (no dynamic parser: see DotnetCounterReader's remarks).
            if (trafficReader?.Apply(evt) is { } tick && !ended.IsCancellationRequested)
            {
                PublishTraffic(trafficReader, tick);
            }

            if (!reader.Apply(evt) || ended.IsCancellationRequested)
            {
                return;
            }

            if (reader.Refusal is { } r)
            {
                Volatile.Write(ref refusal, r);
            }
            else
            {
                store.Publish(name, reader.Snapshot());
            }
        };
        // The reader blocks on the session's stream for the session's whole life: on its own thread,
        // not a pool thread (on 2 cores a blocked pool thread delayed /health by over a second until
        // the pool grew — measured with the heap summary's reader, which had the same shape).
        var pump = Task.Factory.StartNew(source.Process, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        // Until the stream ends (target exited), the target changed under us, the runtime refused
        // the session (it stays open, silent) or no value arrived for too long.
        var started = time.GetUtcNow();
        var silent = false;
        var delivered = false;
        while (!pump.IsCompleted && !stoppingToken.IsCancellationRequested && Current() == id && Volatile.Read(ref refusal) is null)
        {
            var last = store.DotnetOf(name)?.ReceivedAt is { } at && at > started ? at : started;
            if (!delivered && last > started)
            {
                // Said when counters flow, not when the session opens: a refused session opens too.
                delivered = true;
                RuntimesLog.DotnetAttached(logger, id.Pid, transport);
            }

            if (time.GetUtcNow() - last > SilenceLimit)
            {
                silent = true;
                break;
            }

            await Task.WhenAny(pump, Task.Delay(interval / 4, time, stoppingToken));
        }

        await ended.CancelAsync();
        if (!pump.IsCompleted)
        {
            try
            {
                await session.StopAsync(CancellationToken.None).WaitAsync(interval > AttachTimeoutFloor ? interval : AttachTimeoutFloor, time, CancellationToken.None);
            }
            catch (Exception e) when (e is ServerNotAvailableException or TimeoutException or IOException or EndOfStreamException or ObjectDisposedException)
            {
                // the target is already gone: nothing to stop
            }
        }

        if (delivered)
        {
            RuntimesLog.DotnetSessionEnded(logger, id.Pid);
        }

        return Volatile.Read(ref refusal) is { } why ? Attempt.Refused(why)
            : silent ? Attempt.Refused(string.Create(CultureInfo.InvariantCulture, $"the runtime sent no counters for {SilenceLimit.TotalSeconds:F0} s (its metrics source may be held by a tool whose refusal the agent did not see, or the runtime is older than .NET 8)"))
            : Attempt.Delivered;
    }

    private DotnetTrafficReader TrafficReader(ProcessIdentity id)
    {
        if (_traffic is not { } t || t.Id != id)
        {
            t = (id, new DotnetTrafficReader(id.Pid, trafficSettings!.MaxSeries, time));
            _traffic = t;
        }

        return t.Reader;
    }

    /// <summary>Publishes an interval's traffic; the cap's overflow and a runtime limit are each said once per process.</summary>
    private void PublishTraffic(DotnetTrafficReader reader, TrafficSnapshot snapshot)
    {
        traffic!.Publish(name, snapshot);
        if (reader.OverflowUntold())
        {
            RuntimesLog.TrafficSeriesCapped(logger, name, reader.Pid, trafficSettings!.MaxSeries);
        }

        if (reader.Limit is { } limit && !ReferenceEquals(limit, _toldLimit))
        {
            _toldLimit = limit;
            RuntimesLog.TrafficRuntimeLimit(logger, name, reader.Pid, limit);
        }
    }

    /// <summary>
    /// Connects to the socket with a socket of our own, always disposed: a stale socket file (a killed
    /// runtime) or another user's socket fails here without leaving an unconnected socket to the GC,
    /// which the diagnostics client's own connect does.
    /// </summary>
    private static async Task ConnectCheck(string path, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
    }

    /// <summary>The agent as its own target: its meter read in process (see <see cref="InProcessCounters"/>), until the target changes.</summary>
    private async Task RunInProcess(ProcessIdentity id, CancellationToken stoppingToken)
    {
        var reader = new DotnetCounterReader(id.Pid, string.Empty, time);
        using var counters = new InProcessCounters(reader, time);
        RuntimesLog.DotnetAttached(logger, id.Pid, "a listener in process (the agent watches itself)");
        while (!stoppingToken.IsCancellationRequested && Current() == id)
        {
            if (counters.Collect() is { } snapshot)
            {
                store.Publish(name, snapshot);
            }

            await Task.Delay(interval, time, stoppingToken);
        }
    }

    private string? Socket(ProcessIdentity id)
    {
        if (_candidates is not { } c || c.Id != id)
        {
            c = (id, DiagnosticSocket.Candidates(procfs.Process(id.Pid), id.StartTimeTicks));
            _candidates = c;
        }

        return DiagnosticSocket.FirstExisting(c.Names);
    }

    private static void ResumeIfSuspended(DiagnosticsClient client)
    {
        try
        {
            client.ResumeRuntime();
        }
        catch (Exception e) when (e is ServerErrorException or UnsupportedCommandException)
        {
            // Started with nosuspend: nothing to resume.
        }
    }

    private enum AttemptKind
    {
        Delivered,
        NoSocket,
        Refused,
        Failed,
    }

    /// <summary>How one attach ended; <see cref="Reason"/> says why it delivered nothing.</summary>
    private readonly record struct Attempt(AttemptKind Kind, string? Reason)
    {
        public static Attempt Delivered => new(AttemptKind.Delivered, null);

        public static Attempt NoSocket => new(AttemptKind.NoSocket, null);

        public static Attempt Refused(string reason) => new(AttemptKind.Refused, reason);

        public static Attempt Failed(Exception e) => new(AttemptKind.Failed, e is SocketException s ? $"{s.SocketErrorCode}: {e.Message}" : $"{e.GetType().Name}: {e.Message}");
    }
}
