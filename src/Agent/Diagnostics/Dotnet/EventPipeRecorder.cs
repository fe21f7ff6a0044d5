using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;

namespace Agent.Diagnostics.Dotnet;

/// <summary>
/// Streams one EventPipe session to a <c>.nettrace</c> file for a fixed time, stopping early when
/// the file would pass the budget. The session is always stopped (the runtime then writes its
/// rundown and ends the stream), also when the request is cancelled.
/// </summary>
internal static class EventPipeRecorder
{
    // Keywords of Microsoft-Windows-DotNETRuntime (ClrEtwAll.man).
    private const long GcKeyword = 0x1;
    private const long LoaderKeyword = 0x8;
    private const long JitKeyword = 0x10;
    private const long NGenKeyword = 0x20;
    private const long ExceptionKeyword = 0x8000;
    private const long ContentionKeyword = 0x4000;
    private const long ThreadingKeyword = 0x10000;
    private const long TypeKeyword = 0x80000;
    private const long GcHandleKeyword = 0x2;

    /// <summary>The providers of a profile, as dotnet-trace's cpu-sampling and gc-verbose profiles choose them.</summary>
    public static IReadOnlyList<EventPipeProvider> Providers(string profile) => profile switch
    {
        "gc" =>
        [
            new("Microsoft-Windows-DotNETRuntime", EventLevel.Verbose, GcKeyword | GcHandleKeyword | ExceptionKeyword),
        ],
        "stacks" =>
        [
            new("Microsoft-DotNETCore-SampleProfiler", EventLevel.Informational),
            new("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, LoaderKeyword | JitKeyword | NGenKeyword),
        ],
        _ =>
        [
            new("Microsoft-DotNETCore-SampleProfiler", EventLevel.Informational),
            new("Microsoft-Windows-DotNETRuntime", EventLevel.Informational,
                GcKeyword | LoaderKeyword | JitKeyword | NGenKeyword | ExceptionKeyword | ContentionKeyword | ThreadingKeyword | TypeKeyword),
        ],
    };

    public static async Task RecordAsync(DiagnosticsClient client, IReadOnlyList<EventPipeProvider> providers, TimeSpan duration, string path, long maxBytes, CancellationToken cancellationToken)
    {
        using var session = await client.StartEventPipeSessionAsync(providers, requestRundown: true, circularBufferMB: 64, cancellationToken);
        await using var file = File.Create(path);
        using var enough = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        enough.CancelAfter(duration);
        var copy = CopyBoundedAsync(session.EventStream, file, maxBytes, enough);
        try
        {
            await Task.Delay(Timeout.Infinite, enough.Token).ContinueWith(_ => { }, TaskScheduler.Default);
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

        // After StopAsync the runtime flushes and writes the rundown, then closes the stream.
        await copy.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private static async Task CopyBoundedAsync(Stream from, Stream to, long maxBytes, CancellationTokenSource stopEarly)
    {
        var buffer = new byte[81920];
        long written = 0;
        while (true)
        {
            var n = await from.ReadAsync(buffer, CancellationToken.None);
            if (n <= 0)
            {
                return;
            }

            if (written + n > maxBytes)
            {
                await stopEarly.CancelAsync(); // stop the session; keep reading so the pipe drains, but write no more
                continue;
            }

            await to.WriteAsync(buffer.AsMemory(0, n), CancellationToken.None);
            written += n;
        }
    }
}
