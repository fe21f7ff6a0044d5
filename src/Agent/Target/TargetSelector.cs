using System.Globalization;
using System.Text.RegularExpressions;

namespace Agent.Target;

/// <summary>What a selector found.</summary>
internal readonly record struct Selection(int? Pid, string? Problem, IReadOnlyList<ProcessEntry> Candidates)
{
    public static Selection Found(int pid) => new(pid, null, []);

    public static Selection NotFound(string why) => new(null, why, []);

    public static Selection Ambiguous(string why, IReadOnlyList<ProcessEntry> candidates) => new(null, why, candidates);
}

/// <summary>Picks the target process. Exactly one selector is configured (or self).</summary>
internal abstract class TargetSelector
{
    /// <summary>Human-readable description for logs and the landing page, e.g. <c>name=gunicorn</c>.</summary>
    public abstract string Description { get; }

    public abstract Selection Select(Func<ProcessTable> table);

    /// <summary>True while <c>&lt;procRoot&gt;/&lt;pid&gt;</c> exists.</summary>
    protected static bool Exists(string procRoot, int pid) =>
        Directory.Exists(Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Of several matching processes keep the tree roots, then the oldest root.</summary>
    protected static Selection PickRoot(IReadOnlyList<ProcessEntry> matches, string what)
    {
        if (matches.Count == 0)
        {
            return Selection.NotFound($"no process matches {what}");
        }

        var pids = matches.Select(m => m.Pid).ToHashSet();
        var roots = matches.Where(m => !pids.Contains(m.ParentPid)).OrderBy(m => m.StartTimeTicks).ThenBy(m => m.Pid).ToList();
        return Selection.Found(roots.Count > 0 ? roots[0].Pid : matches[0].Pid);
    }
}

internal sealed class PidSelector(int pid, string procRoot) : TargetSelector
{
    public override string Description => $"pid={pid}";

    public override Selection Select(Func<ProcessTable> table) =>
        Exists(procRoot, pid) ? Selection.Found(pid) : Selection.NotFound($"process {pid} does not exist");
}

internal sealed class SelfSelector : TargetSelector
{
    public override string Description => "self";

    public override Selection Select(Func<ProcessTable> table) => Selection.Found(Environment.ProcessId);
}

internal sealed class PidFileSelector(string path, string procRoot) : TargetSelector
{
    public override string Description => $"pidfile={path}";

    public override Selection Select(Func<ProcessTable> table)
    {
        string text;
        try
        {
            // A pid file is a few bytes; anything much larger is not a pid file.
            using var stream = File.OpenRead(path);
            var buffer = new byte[64];
            var n = stream.Read(buffer);
            text = System.Text.Encoding.ASCII.GetString(buffer, 0, n).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Selection.NotFound($"pid file {path} is not readable ({e.GetType().Name})");
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 0)
        {
            return Selection.NotFound($"pid file {path} does not hold a pid");
        }

        return Exists(procRoot, pid) ? Selection.Found(pid) : Selection.NotFound($"process {pid} from {path} does not exist");
    }
}

/// <summary>Matches the kernel's comm (15 chars) or the executable's file name.</summary>
internal sealed class ProcessNameSelector(string name) : TargetSelector
{
    public override string Description => $"name={name}";

    public override Selection Select(Func<ProcessTable> table)
    {
        var t = table();
        var self = Environment.ProcessId;
        // The kernel truncates comm to 15 bytes; a longer configured name still matches its prefix.
        var comm = name.Length > 15 ? name[..15] : name;
        var matches = t.Processes
            .Where(p => p.Pid != self && (p.Comm == comm || string.Equals(t.ExecutableName(p.Pid), name, StringComparison.Ordinal)))
            .ToList();
        return PickRoot(matches, Description);
    }
}

/// <summary>A .NET regular expression over the command line, arguments joined by spaces.</summary>
internal sealed class CommandLineSelector(Regex pattern) : TargetSelector
{
    public override string Description => $"cmdline=~{pattern}";

    public override Selection Select(Func<ProcessTable> table)
    {
        var t = table();
        var self = Environment.ProcessId;
        var matches = new List<ProcessEntry>();
        foreach (var p in t.Processes)
        {
            if (p.Pid == self)
            {
                continue;
            }

            try
            {
                if (pattern.IsMatch(t.CommandLine(p.Pid)))
                {
                    matches.Add(p);
                }
            }
            catch (RegexMatchTimeoutException)
            {
                // A pathological pattern against one long command line: skip that process.
            }
        }

        return PickRoot(matches, Description);
    }
}

/// <summary>
/// In a shared PID namespace (Kubernetes <c>shareProcessNamespace</c>, compose <c>pid: service:app</c>)
/// the target is the only top-level process that is not the agent, its ancestors or
/// descendants, or the pod's <c>pause</c> container.
/// </summary>
internal sealed class AutoSelector : TargetSelector
{
    public override string Description => "auto";

    public override Selection Select(Func<ProcessTable> table)
    {
        var t = table();
        var self = Environment.ProcessId;
        var excluded = t.Ancestry(self);
        foreach (var p in t.Tree(self))
        {
            excluded.Add(p.Pid);
        }

        var candidates = t.Processes
            .Where(p => !excluded.Contains(p.Pid) && p.Comm != "pause" && p.ParentPid != 2 && p.Pid != 2)
            .ToList();
        var pids = candidates.Select(c => c.Pid).ToHashSet();
        var roots = candidates.Where(c => !pids.Contains(c.ParentPid)).OrderBy(c => c.Pid).ToList();
        return roots.Count switch
        {
            0 => Selection.NotFound("no process other than the agent in this PID namespace (is shareProcessNamespace set?)"),
            1 => Selection.Found(roots[0].Pid),
            _ => Selection.Ambiguous(
                $"{roots.Count} processes qualify: " + string.Join(", ", roots.Take(10).Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Pid} ({r.Comm})"))) + (roots.Count > 10 ? ", ..." : string.Empty)
                + "; set Target:ProcessName or Target:CommandLinePattern",
                roots),
        };
    }
}
