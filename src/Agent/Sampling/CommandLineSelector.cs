using System.Text.RegularExpressions;

namespace Agent.Sampling;

/// <summary>A .NET regular expression over the command line, arguments joined by spaces.</summary>
internal sealed class CommandLineSelector(Regex pattern) : TargetSelector
{
    public override string Description => $"cmdline=~{pattern}";

    public override Selection Select(SelectionContext context)
    {
        var t = context.Table;
        var matches = new List<ProcessEntry>();
        foreach (var p in t.Processes)
        {
            if (!context.IsCandidate(p))
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
