using Agent.Configuration;
using Agent.Procfs;
using Agent.Runtimes;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace Agent.Capabilities;

/// <summary>
/// <c>agent check</c>'s word on the target's .NET counters: opens the session the running agent
/// would (<see cref="MetricsSession"/>) and waits for the first value or the runtime's refusal —
/// another tool holding the metrics source is only visible that way. Null when the diagnostic
/// socket cannot be used at all (its own entry says why) or in listen mode.
/// </summary>
internal static class DotnetCountersCheck
{
    public const string Name = "dotnet_runtime_counters";

    public static async Task<Capability?> CheckAsync(ProcPid process, RuntimeSettings runtime, TimeSpan interval, CancellationToken ct)
    {
        if (!runtime.Dotnet.Enabled || runtime.Dotnet.DiagnosticPort is not null || DiagnosticSocket.Find(process) is not { } path)
        {
            return null;
        }

        // The first values come one or two refresh intervals after the session starts.
        var wait = MetricsSession.StaleAfter(interval);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(wait + TimeSpan.FromSeconds(2));
        try
        {
            await using var connector = await DiagnosticsClientConnector.FromDiagnosticPort(path + ",connect", cts.Token);
            var clientId = Guid.NewGuid().ToString("N");
            using var session = await connector.Instance.StartEventPipeSessionAsync([MetricsSession.For(interval, clientId, runtime.Dotnet, traffic: false)], requestRundown: false, circularBufferMB: 4, cts.Token);
            var reader = new DotnetCounterReader(process.Pid, clientId, TimeProvider.System);
            var verdict = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
            using var source = new EventPipeEventSource(session.EventStream);
            source.AllEvents += evt =>
            {
                if (reader.Apply(evt))
                {
                    verdict.TrySetResult(reader.Refusal);
                }
            };
            _ = Task.Factory.StartNew(source.Process, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            string? refusal;
            try
            {
                refusal = await verdict.Task.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                refusal = $"the runtime sent no counters within {wait.TotalSeconds:F0} s (its metrics source may be held by a tool whose refusal was not seen, or the runtime is older than .NET 8)";
            }
            finally
            {
                try
                {
                    await session.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None);
                }
                catch (Exception e) when (e is ServerNotAvailableException or TimeoutException or IOException or EndOfStreamException or ObjectDisposedException)
                {
                    // gone meanwhile
                }
            }

            return refusal is null
                ? new(Name, CapabilityStatus.Available, "counters flow over the agent's EventPipe session (System.Runtime meter)", null, CapabilityAdvice.DotnetAffects)
                : new(Name, CapabilityStatus.Unavailable, refusal, MetricsSession.RefusedFix(interval, runtime.Dotnet), CapabilityAdvice.DotnetAffects);
        }
        catch (Exception e) when (e is ServerNotAvailableException or IOException or System.Net.Sockets.SocketException or UnsupportedCommandException or ServerErrorException or TimeoutException or OperationCanceledException)
        {
            return null; // the socket's own entry says what is wrong with it, or the caller's deadline came first
        }
    }
}
