using System.Diagnostics.Tracing;
using System.Reflection;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace Agent.Profiling;

/// <summary>
/// One profiling window of a .NET target: an EventPipe session of its own (beside the counters')
/// with the runtime's sample profiler and the method-load events, ended with a rundown that names
/// every method with code. Only samples of threads running managed code (ThreadSample type 2)
/// count as CPU: the profiler also samples every waiting thread (type 1, "external"), which would
/// otherwise rank the waits first. Stacks are resolved after the rundown, leaf first.
/// </summary>
internal static class DotnetProfileRecorder
{
    // Microsoft-DotNETCore-SampleProfiler (src/coreclr/vm/sampleprofiler.cpp) and the runtime's
    // rundown provider, by GUID: the reader registers no parser for either.
    private static readonly Guid SampleProfiler = new("3c530d44-97ae-513a-1e6d-783e8f8e03a9");
    private static readonly Guid Runtime = new("e13c0d23-ccbc-4e12-931b-d9cc2eec4e38");
    private static readonly Guid Rundown = new("a669021c-c450-4609-a035-5af59af4df18");
    private const int MethodLoadVerbose = 143;
    private const int MethodDcEndVerbose = 144;
    private const uint ManagedSample = 2;

    // Loader | Jit | NGen (ClrEtwAll.man): method loads while the window runs.
    private const long MethodKeywords = 0x8 | 0x10 | 0x20;

    // Raw (unresolved) stacks kept while a window runs; past it samples are counted as truncated.
    private const int MaxRawStacks = 20_000;

    // TraceEvent keeps a sample's stack in the EVENT_RECORD it hands over (ETW's layout, filled
    // in by the EventPipe reader) and has no public accessor for it; the field is read once per
    // sample. Resolved by name at startup: a TraceEvent that renames it fails every window with
    // the reason, never silently.
    private static readonly FieldInfo? EventRecordField = typeof(TraceEvent).GetField("eventRecord", BindingFlags.Instance | BindingFlags.NonPublic);

    public static IReadOnlyList<EventPipeProvider> Providers { get; } =
    [
        new("Microsoft-DotNETCore-SampleProfiler", EventLevel.Informational),
        new("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, MethodKeywords),
    ];

    public static async Task<CpuProfile> RecordAsync(DiagnosticsClient client, TimeSpan window, TimeProvider time, CancellationToken cancellationToken)
    {
        if (EventRecordField is null)
        {
            throw new InvalidOperationException("this TraceEvent version keeps no eventRecord field: stacks cannot be read");
        }

        var start = time.GetUtcNow();
        var began = time.GetTimestamp();
        using var session = await client.StartEventPipeSessionAsync(Providers, requestRundown: true, circularBufferMB: 16, cancellationToken);
        var methods = new MethodTable();
        var raw = new Dictionary<ulong[], long>(AddressComparer.Instance);
        var perThread = new Dictionary<int, long>();
        long truncated = 0;
        using var source = new EventPipeEventSource(session.EventStream);
        source.AllEvents += e =>
        {
            if (e.ProviderGuid == SampleProfiler)
            {
                perThread[e.ThreadID] = perThread.GetValueOrDefault(e.ThreadID) + 1;
                if (SampleType(e) != ManagedSample)
                {
                    return;
                }

                var stack = ReadStack(e);
                if (raw.TryGetValue(stack, out var n))
                {
                    raw[stack] = n + 1;
                }
                else if (raw.Count < MaxRawStacks)
                {
                    raw[stack] = 1;
                }
                else
                {
                    truncated++;
                }
            }
            else if ((e.ProviderGuid == Runtime && (int)e.ID == MethodLoadVerbose) || (e.ProviderGuid == Rundown && (int)e.ID == MethodDcEndVerbose))
            {
                methods.TryAdd(Payload(e));
            }
        };
        // Process() blocks on the socket until the stream ends: its own thread, not the pool's
        // (the same reason as the heap walk's).
        var pump = Task.Factory.StartNew(source.Process, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            await Task.WhenAny(pump, Task.Delay(window, time, cancellationToken));
        }
        finally
        {
            try
            {
                await session.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
            }
            catch (Exception e) when (e is ServerNotAvailableException or TimeoutException or IOException or EndOfStreamException or ObjectDisposedException)
            {
                // the target exited: the stream ends by itself
            }
        }

        // After the stop the runtime writes the rundown (the method names), then ends the stream.
        await pump.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        cancellationToken.ThrowIfCancellationRequested();
        var duration = time.GetElapsedTime(began);
        var busiest = perThread.Count == 0 ? 0 : perThread.Values.Max();
        var period = busiest == 0 ? TimeSpan.FromMilliseconds(1) : duration / busiest;
        return new CpuProfile(start, duration, period, Resolve(raw, truncated, methods));
    }

    /// <summary>Thread.PollGC and its worker: where a looping thread waits while the runtime is suspended for a sample.</summary>
    internal static bool IsGcPoll(ProfileFrame frame) =>
        frame.Function.StartsWith("System.Threading.Thread.PollGC", StringComparison.Ordinal)
        || frame.Function.StartsWith("System.Threading.Thread.<PollGC>", StringComparison.Ordinal);

    /// <summary>Names each raw stack's frames; stacks that resolve alike are added up.</summary>
    internal static IReadOnlyList<ProfileSample> Resolve(IReadOnlyDictionary<ulong[], long> raw, long truncated, MethodTable methods)
    {
        var counter = new StackCounter();
        foreach (var (addresses, count) in raw)
        {
            var frames = new List<ProfileFrame>(Math.Min(addresses.Length, CpuProfile.MaxDepth));
            for (var i = 0; i < addresses.Length && frames.Count < CpuProfile.MaxDepth; i++)
            {
                // Past the leaf each address is a return address: the call sits just before it,
                // and a call that ends a method returns to the first byte after it.
                var frame = methods.Find(i == 0 ? addresses[i] : addresses[i] - 1) ?? ProfileFrame.Unknown;
                if (frame == ProfileFrame.Unknown && frames.Count > 0 && frames[^1] == ProfileFrame.Unknown)
                {
                    continue; // a run of native frames reads as one
                }

                if (frames.Count == 0 && IsGcPoll(frame))
                {
                    // The sample profiler suspends the runtime to take a sample, and a thread in a
                    // tight loop stops at a GC poll the JIT put in it: the leaf is then the poll
                    // helper, called by the method that was running. That method is the leaf.
                    continue;
                }

                frames.Add(frame);
            }

            if (frames.Count == 0)
            {
                frames.Add(ProfileFrame.Unknown);
            }

            counter.Add(frames, count);
        }

        if (truncated > 0)
        {
            counter.Add([ProfileFrame.Truncated], truncated);
        }

        return counter.Samples();
    }

    private static unsafe uint SampleType(TraceEvent e) => e.EventDataLength >= 4 ? *(uint*)e.DataStart : 0;

    private static unsafe ReadOnlySpan<byte> Payload(TraceEvent e) => new((void*)e.DataStart, e.EventDataLength);

    // EVENT_RECORD (evntcons.h): EVENT_HEADER (80 bytes), ETW_BUFFER_CONTEXT (4), ExtendedDataCount
    // u16 at 84, UserDataLength u16, ExtendedData pointer at 88. Each EVENT_HEADER_EXTENDED_DATA_ITEM
    // is 16 bytes: ExtType u16 at 2, DataSize u16 at 6, DataPtr at 8; a STACK_TRACE64 item (type 6)
    // holds a u64 MatchId, then the addresses, leaf first.
    private static unsafe ulong[] ReadStack(TraceEvent e)
    {
        var record = (byte*)Pointer.Unbox(EventRecordField!.GetValue(e)!);
        if (record == null)
        {
            return [];
        }

        var count = *(ushort*)(record + 84);
        var items = *(byte**)(record + 88);
        for (var i = 0; i < count; i++)
        {
            var item = items + (16 * i);
            if (*(ushort*)(item + 2) != 6)
            {
                continue;
            }

            var size = *(ushort*)(item + 6);
            var data = *(ulong**)(item + 8);
            var n = Math.Max(0, (size - 8) / 8);
            return new ReadOnlySpan<ulong>(data + 1, n).ToArray();
        }

        return [];
    }

    private sealed class AddressComparer : IEqualityComparer<ulong[]>
    {
        public static readonly AddressComparer Instance = new();

        public bool Equals(ulong[]? x, ulong[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(ulong[] obj)
        {
            var h = new HashCode();
            h.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(obj.AsSpan()));
            return h.ToHashCode();
        }
    }
}
