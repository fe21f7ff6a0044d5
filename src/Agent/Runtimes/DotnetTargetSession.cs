using System.Diagnostics.Tracing;
using System.Globalization;
using Agent.Configuration;
using Agent.Logging;
using Agent.Procfs;
using Agent.Sampling;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace Agent.Runtimes;

/// <summary>
/// Follows ONE target's process for the System.Runtime meter (interval = Sampling:Interval) and
/// publishes its counters under the target's name. Ends when the target has no process, or a new
/// one (a restart): the supervisor (<see cref="DotnetRuntimeService"/>) then starts a fresh follower,
/// so counters return within 3 intervals of a restart. While no socket is found, or the runtime is
/// not ready, it retries with backoff (a quarter interval doubling to one interval). Connect mode finds the process's
/// socket by its exact name (no directory listing); listen mode (<c>Runtime:Dotnet:DiagnosticPort</c>)
/// waits for the runtime to connect and always resumes it, so a target configured without
/// <c>nosuspend</c> is never left suspended.
/// </summary>
internal sealed class DotnetTargetSession(
    string name,
    DotnetRuntimeOptions options,
    TimeSpan interval,
    TargetSnapshotStore target,
    ProcFs procfs,
    RuntimeStore store,
    TimeProvider time,
    RepeatGate gate,
    ILogger<DotnetTargetSession> logger)
{
    // An attach is a connect, a handshake and a session start in the target: on a loaded node
    // that takes far longer than a short sampling interval, and an attempt cut at 2 intervals
    // (500 ms at 250 ms) may never succeed. The floor only bounds a hung attempt; a runtime
    // that is not up yet still fails at once and is retried within the backoff.
    private static readonly TimeSpan AttachTimeoutFloor = TimeSpan.FromSeconds(5);

    private readonly string _gateKey = "dotnet-attach:" + name;

    // The socket names of the followed process, computed once per process: a look is then only
    // two to four existence checks, however many targets are followed.
    private (ProcessIdentity Id, string[] Names)? _candidates;

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var backoff = interval / 4;
        ProcessIdentity? toldNoSocket = null; // said once per target process, not every look
        try
        {
            while (!stoppingToken.IsCancellationRequested && Current() is { } id)
            {
                try
                {
                    if (await RunSession(id, stoppingToken))
                    {
                        backoff = interval / 4;
                    }
                    else
                    {
                        if (toldNoSocket != id)
                        {
                            toldNoSocket = id;
                            Log.DotnetSocketNotFound(logger, id.Pid, interval);
                        }

                        // A runtime starting up creates its socket within the first looks; a process
                        // that is not .NET never does: one look per interval in steady state, per target.
                        await Task.Delay(backoff, time, stoppingToken);
                        backoff = Doubled(backoff);
                    }
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    if (gate.ShouldLog(_gateKey, out var suppressed))
                    {
                        Log.DotnetAttachFailed(logger, id.Pid, $"{e.GetType().Name}: {e.Message}", suppressed);
                    }

                    await Task.Delay(backoff, time, stoppingToken);
                    backoff = Doubled(backoff);
                }
                finally
                {
                    store.Publish(name, (DotnetRuntimeSnapshot?)null); // no stale series once a session ends
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
    }

    private TimeSpan Doubled(TimeSpan backoff) => TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, interval.Ticks));

    /// <summary>The process this follower is for: the target's current one, while it is still this target's.</summary>
    private ProcessIdentity? Current()
    {
        var followed = DotnetRuntimeService.Followed(target.Current, options.DiagnosticPort is not null);
        return followed.FirstOrDefault(t => t.Name == name)?.Sample?.Identity;
    }

    /// <summary>Runs one session until it ends or the target changes. False if no runtime was found.</summary>
    private async Task<bool> RunSession(ProcessIdentity id, CancellationToken stoppingToken)
    {
        var port = options.DiagnosticPort;
        if (port is null && id.Pid == Environment.ProcessId)
        {
            await RunInProcess(id, stoppingToken);
            return true;
        }

        string transport;
        string endpoint;
        if (port is null)
        {
            if (Socket(id) is not { } socket)
            {
                return false; // not a .NET process, or its runtime is not up yet
            }

            endpoint = socket + ",connect";
            transport = socket;
        }
        else
        {
            endpoint = port; // listen: the runtime connects to us
            transport = port + " (listen)";
        }

        using var attachTimeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var attachLimit = port is null ? 2 * interval : 3 * interval;
        attachTimeout.CancelAfter(attachLimit > AttachTimeoutFloor ? attachLimit : AttachTimeoutFloor);
        await using var connector = await DiagnosticsClientConnector.FromDiagnosticPort(endpoint, attachTimeout.Token);
        var client = connector.Instance;
        if (port is not null)
        {
            ResumeIfSuspended(client);
        }

        var sessionId = Guid.NewGuid().ToString("N");
        var provider = new EventPipeProvider(
            "System.Diagnostics.Metrics",
            EventLevel.Informational,
            0xF,
            new Dictionary<string, string>
            {
                ["SessionId"] = sessionId,
                ["Metrics"] = "System.Runtime",
                ["RefreshInterval"] = interval.TotalSeconds.ToString(CultureInfo.InvariantCulture),
                ["MaxTimeSeries"] = "1000",
                ["MaxHistograms"] = "10",
                ["ClientId"] = sessionId,
            });
        using var session = await client.StartEventPipeSessionAsync([provider], requestRundown: false, circularBufferMB: 4, attachTimeout.Token);
        Log.DotnetAttached(logger, id.Pid, transport);
        gate.Reset(_gateKey);

        var reader = new DotnetCounterReader(id.Pid, sessionId);
        using var ended = new CancellationTokenSource(); // set before the entry is removed: a late event must not bring it back
        store.Publish(name, reader.Snapshot()); // connected; counters follow at the first refresh
        using var source = new EventPipeEventSource(session.EventStream);
        source.AllEvents += evt =>
        {
            if (reader.Apply(evt) && !ended.IsCancellationRequested)
            {
                store.Publish(name, reader.Snapshot());
            }
        };
        // The reader blocks on the session's stream for the session's whole life: on its own thread,
        // not a pool thread (on 2 cores a blocked pool thread delayed /health by over a second until
        // the pool grew — measured with the heap summary's reader, which had the same shape).
        var pump = Task.Factory.StartNew(source.Process, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        // Until the stream ends (target exited) or the target changed under us.
        while (!pump.IsCompleted && !stoppingToken.IsCancellationRequested && Current() == id)
        {
            await Task.WhenAny(pump, Task.Delay(interval / 4, time, stoppingToken));
        }

        await ended.CancelAsync();
        if (!pump.IsCompleted)
        {
            try
            {
                await session.StopAsync(CancellationToken.None).WaitAsync(interval, time, CancellationToken.None);
            }
            catch (Exception e) when (e is ServerNotAvailableException or TimeoutException or IOException or EndOfStreamException or ObjectDisposedException)
            {
                // the target is already gone: nothing to stop
            }
        }

        Log.DotnetSessionEnded(logger, id.Pid);
        return true;
    }

    /// <summary>The agent as its own target: its meter read in process (see <see cref="InProcessCounters"/>), until the target changes.</summary>
    private async Task RunInProcess(ProcessIdentity id, CancellationToken stoppingToken)
    {
        var reader = new DotnetCounterReader(id.Pid, string.Empty);
        using var counters = new InProcessCounters(reader, time);
        Log.DotnetAttached(logger, id.Pid, "a listener in process (the agent watches itself)");
        gate.Reset(_gateKey);
        store.Publish(name, reader.Snapshot());
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
}
