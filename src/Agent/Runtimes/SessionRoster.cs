namespace Agent.Runtimes;

/// <summary>
/// Which targets have a running per-target loop (a .NET session follower). Reconciled against the
/// names that should have one on every look of the supervisor: a loop that finished (its target
/// went away or restarted) is dropped, a wanted name without a loop is returned to be started. A
/// loop ends itself; the roster never stops one, so one target's change never touches another's.
/// </summary>
internal sealed class SessionRoster
{
    private readonly Dictionary<string, Task> _running = new(StringComparer.Ordinal);

    /// <summary>The names with a loop still running.</summary>
    public IReadOnlyCollection<string> Names => _running.Keys;

    /// <summary>Drops finished loops and returns the wanted names that have none (in the given order).</summary>
    public IReadOnlyList<string> Reconcile(IEnumerable<string> wanted)
    {
        foreach (var (name, task) in _running.ToArray())
        {
            if (task.IsCompleted)
            {
                _running.Remove(name);
            }
        }

        var start = new List<string>();
        foreach (var name in wanted)
        {
            if (!_running.ContainsKey(name) && !start.Contains(name, StringComparer.Ordinal))
            {
                start.Add(name);
            }
        }

        return start;
    }

    public void Started(string name, Task loop) => _running[name] = loop;

    /// <summary>Every loop still running, to wait for at shutdown.</summary>
    public Task[] Running() => [.. _running.Values];
}
