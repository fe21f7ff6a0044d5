using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace Agent.Diagnostics.Heap;

/// <summary>
/// One walk of a .NET target's heap without a dump: an EventPipe session with the runtime's
/// heap-snapshot keywords makes the target run one induced gen2 collection that reports every
/// live object (GCBulkNode), the references between them (GCBulkEdge) and the names of their
/// types (GCBulkType); the agent sums objects per type while they stream (<see cref="HeapTally"/>)
/// and, when asked, keeps the graph within its budget (<see cref="HeapGraph"/>). The target is
/// paused for about as long as a full blocking GC of its heap; the session ends right after it.
/// </summary>
internal static class DotnetHeapWalk
{
    // GC | Type | GCHeapDump | GCHeapCollect | GCHeapAndTypeNames (ClrEtwAll.man): the set
    // dotnet-gcdump enables; GCHeapCollect is what induces the walking collection.
    private const long HeapSnapshotKeywords = 0x1 | 0x80000 | 0x100000 | 0x800000 | 0x1000000;

    // The walk's events are written while the target is paused; a buffer too small for them
    // loses objects. The runtime only allocates what the session uses.
    private const int WalkBufferMB = 256;

    public static readonly TimeSpan WalkTimeout = TimeSpan.FromSeconds(60);

    // The runtime logs each type's name once per "type logging epoch" and forgets what it logged
    // when a session starts or stops; an empty session first makes sure the walk names every type
    // again, also those an earlier trace (Type keyword) already logged.
    public static async Task FlushTypeTableAsync(DiagnosticsClient client, CancellationToken cancellationToken)
    {
        using var session = await client.StartEventPipeSessionAsync(
            [new EventPipeProvider("Microsoft-DotNETCore-SampleProfiler", EventLevel.Informational)], requestRundown: false, circularBufferMB: 1, cancellationToken);
        var drain = session.EventStream.CopyToAsync(Stream.Null, CancellationToken.None);
        await session.StopAsync(cancellationToken);
        await drain.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
    }

    public static async Task<(int GcNumber, bool Complete, int Malformed)> WalkAsync(DiagnosticsClient client, HeapTally tally, HeapGraph? graph, CancellationToken cancellationToken)
    {
        using var session = await client.StartEventPipeSessionAsync(
            [new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Verbose, HeapSnapshotKeywords)], requestRundown: false, WalkBufferMB, cancellationToken);
        var gcNumber = -1L;
        var malformed = 0;
        var walked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var source = new EventPipeEventSource(session.EventStream);
        source.AllEvents += e =>
        {
            if (e.ProviderGuid != GcHeapEvents.RuntimeProvider)
            {
                return;
            }

            var ok = true;
            switch ((int)e.ID)
            {
                case GcHeapEvents.GcStartId:
                    ok = GcHeapEvents.TryReadGcStart(Payload(e), out var count, out var depth, out var type);
                    if (ok && gcNumber < 0 && depth == 2 && type != GcHeapEvents.BackgroundGc)
                    {
                        gcNumber = count;
                    }

                    break;
                case GcHeapEvents.GcStopId:
                    ok = GcHeapEvents.TryReadGcStop(Payload(e), out var stopped);
                    if (ok && stopped == gcNumber)
                    {
                        if (tally.Objects > 0)
                        {
                            walked.TrySetResult();
                        }
                        else
                        {
                            gcNumber = -1; // a gen2 GC of the app's own that walked nothing: wait for the induced one
                        }
                    }

                    break;
                case GcHeapEvents.GcBulkNodeId when gcNumber >= 0:
                    ok = GcHeapEvents.ReadBulkNode(Payload(e), tally, graph);
                    break;
                case GcHeapEvents.GcBulkEdgeId when gcNumber >= 0 && graph is not null:
                    ok = GcHeapEvents.ReadBulkEdge(Payload(e), graph);
                    break;
                case GcHeapEvents.GcBulkTypeId:
                    ok = GcHeapEvents.ReadBulkType(Payload(e), tally);
                    break;
            }

            if (!ok)
            {
                malformed++;
            }
        };
        // Process() blocks on the socket until the stream ends: its own thread, not one of the
        // pool's (on 2 cores the pool starts with 2, and the counters' reader already holds one —
        // measured: /health waited 1.4 s for thread injection while a summary ran on the pool).
        var pump = Task.Factory.StartNew(source.Process, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(WalkTimeout);
        await Task.WhenAny(walked.Task, pump, Task.Delay(Timeout.Infinite, timeout.Token));
        try
        {
            await session.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        }
        catch (Exception e) when (e is ServerNotAvailableException or TimeoutException or IOException or EndOfStreamException or ObjectDisposedException)
        {
            // the target exited: the stream ends by itself
        }

        // The stream ends after the stop; the events already in it are counted before it does.
        await pump.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        cancellationToken.ThrowIfCancellationRequested();
        return ((int)gcNumber, walked.Task.IsCompleted, malformed);
    }

    private static unsafe ReadOnlySpan<byte> Payload(TraceEvent e) => new((void*)e.DataStart, e.EventDataLength);

    /// <summary>Throws the reason when a walk did not finish or could not be read.</summary>
    public static void EnsureComplete(int gcNumber, bool complete, int malformed)
    {
        if (!complete)
        {
            throw new CaptureFailedException(gcNumber < 0
                ? $"the runtime started no heap-walking collection within {WalkTimeout.TotalSeconds} s"
                : $"the heap-walking collection #{gcNumber} did not end within {WalkTimeout.TotalSeconds} s");
        }

        if (malformed > 0)
        {
            throw new CaptureFailedException($"{malformed} heap-walk events had payloads this agent cannot read (an unknown runtime version?)");
        }
    }
}
