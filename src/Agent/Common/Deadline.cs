namespace Agent.Common;

/// <summary>
/// One piece of work under a hard deadline, and the one owner of its cancellation. The deadline is
/// a single timer (on the <see cref="TimeProvider"/>) that cancels the token the work sees; the
/// caller's wait ends on that same token, so the wait can never end at the deadline without the
/// work having been told to stop. The token source is disposed only after the work has ended
/// (never before it was cancelled), so a work item abandoned at its deadline always sees its
/// cancellation, however the timers of a loaded machine are ordered.
/// </summary>
/// <remarks>
/// The earlier shape — <c>using var cts; cts.CancelAfter(t); await work.WaitAsync(t)</c> — had two
/// timers: when the wait's timer fired first, the block disposed the source before its own timer
/// fired, the token was never cancelled and the work ran for as long as the dependency held it.
/// </remarks>
internal sealed class Deadline<T>
{
    // Only the token is kept: the source belongs to the work's continuation, which disposes it.
    private readonly CancellationToken _token;

    private Deadline(Func<CancellationToken, Task<T>> work, TimeSpan timeout, TimeProvider time, CancellationToken stopping)
    {
        var cts = new CancellationTokenSource(timeout, time);
        _token = cts.Token;
        var onStop = stopping.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), cts);
        // On the thread pool: work that blocks synchronously (connect, DNS, first-call JIT) must
        // not delay the start of the wait.
        Work = Task.Run(() => work(_token), CancellationToken.None);
        _ = Work.ContinueWith(
            (t, state) =>
            {
                _ = t.Exception; // an abandoned work item may fail later: observed, never unobserved
                onStop.Dispose(); // waits for a running Cancel: the source is never disposed under it
                ((CancellationTokenSource)state!).Dispose();
            },
            cts,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>The work itself; it may outlive the wait when it ignores its token.</summary>
    public Task<T> Work { get; }

    /// <summary>True once the deadline (or the caller's stop) cancelled the work's token.</summary>
    public bool Cancelled => _token.IsCancellationRequested;

    /// <summary>Cancelled at the deadline and still running: the work ignored its token.</summary>
    public bool Abandoned => Cancelled && !Work.IsCompleted;

    /// <summary>Starts <paramref name="work"/> with a token cancelled after <paramref name="timeout"/> or when <paramref name="stopping"/> is.</summary>
    public static Deadline<T> Start(Func<CancellationToken, Task<T>> work, TimeSpan timeout, TimeProvider time, CancellationToken stopping) =>
        new(work, timeout, time, stopping);

    /// <summary>
    /// The work's result, or <see cref="OperationCanceledException"/> at the deadline (or stop),
    /// at the moment the work's token is cancelled: the same token ends the wait.
    /// </summary>
    public Task<T> WaitAsync() => Work.WaitAsync(_token);
}
