using System.Globalization;
using System.Text.RegularExpressions;

namespace Agent.Sampling;

/// <summary>What a selector found.</summary>
internal readonly record struct Selection(int? Pid, string? Problem, IReadOnlyList<ProcessEntry> Candidates)
{
    public static Selection Found(int pid) => new(pid, null, []);

    public static Selection NotFound(string why) => new(null, why, []);

    public static Selection Ambiguous(string why, IReadOnlyList<ProcessEntry> candidates) => new(null, why, candidates);
}
