using System.Collections.Immutable;

namespace Agent.Runtimes;

/// <summary>
/// Latest runtime snapshots, per target: one .NET session and one federation endpoint per target
/// write their own entry (copy-on-write, so a writer never blocks another and readers take no
/// lock). An entry that is absent means "not connected": an ended session removes its own entry
/// only, so no stale series outlive it and no other target's series are touched.
/// </summary>
internal sealed class RuntimeStore
{
    private ImmutableDictionary<string, FederatedSnapshot> _federated = ImmutableDictionary.Create<string, FederatedSnapshot>(StringComparer.Ordinal);
    private ImmutableDictionary<string, DotnetRuntimeSnapshot> _dotnet = ImmutableDictionary.Create<string, DotnetRuntimeSnapshot>(StringComparer.Ordinal);
    private ImmutableDictionary<string, DotnetSessionProblem> _dotnetProblems = ImmutableDictionary.Create<string, DotnetSessionProblem>(StringComparer.Ordinal);

    /// <summary>
    /// Raised on the writer's thread after each federated snapshot is published, so that the
    /// instrument registry can add instruments for families it has not seen before any scrape
    /// reads them.
    /// </summary>
    public event Action<FederatedSnapshot>? FederatedPublished;

    /// <summary>The last scrape of each federation endpoint, by the endpoint's <c>Key</c>.</summary>
    public IReadOnlyDictionary<string, FederatedSnapshot> Federated => Volatile.Read(ref _federated);

    /// <summary>The counters of every target whose .NET session is delivering, by target name.</summary>
    public IReadOnlyDictionary<string, DotnetRuntimeSnapshot> Dotnet => Volatile.Read(ref _dotnet);

    /// <summary>Null while no session of that target is delivering counters.</summary>
    public DotnetRuntimeSnapshot? DotnetOf(string? target) =>
        target is not null && Volatile.Read(ref _dotnet).TryGetValue(target, out var s) ? s : null;

    /// <summary>Why a target's .NET session delivers nothing (refused, cannot attach); null while it delivers or has not tried.</summary>
    public DotnetSessionProblem? DotnetProblemOf(string target) =>
        Volatile.Read(ref _dotnetProblems).TryGetValue(target, out var p) ? p : null;

    /// <summary>Sets (or, with null, clears) why the target's .NET session delivers nothing.</summary>
    public void PublishProblem(string target, DotnetSessionProblem? problem)
    {
        if (problem is null)
        {
            ImmutableInterlocked.TryRemove(ref _dotnetProblems, target, out _);
        }
        else
        {
            ImmutableInterlocked.AddOrUpdate(ref _dotnetProblems, target, problem, (_, _) => problem);
        }
    }

    public FederatedSnapshot FederatedOf(string key) =>
        Volatile.Read(ref _federated).TryGetValue(key, out var s) ? s : FederatedSnapshot.Disconnected;

    public void Publish(string key, FederatedSnapshot snapshot)
    {
        ImmutableInterlocked.AddOrUpdate(ref _federated, key, snapshot, (_, _) => snapshot);
        FederatedPublished?.Invoke(snapshot);
    }

    /// <summary>Sets the target's counters; null removes them (its session ended).</summary>
    public void Publish(string target, DotnetRuntimeSnapshot? snapshot)
    {
        if (snapshot is null)
        {
            ImmutableInterlocked.TryRemove(ref _dotnet, target, out _);
        }
        else
        {
            ImmutableInterlocked.AddOrUpdate(ref _dotnet, target, snapshot, (_, _) => snapshot);
        }
    }
}
