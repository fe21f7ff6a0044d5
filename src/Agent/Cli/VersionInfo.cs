using System.Reflection;

namespace Agent.Cli;

/// <summary>The agent's version and, when the build embedded it, the commit it was built from.</summary>
internal static class VersionInfo
{
    /// <summary>e.g. <c>0.1.0</c>.</summary>
    public static string Version => typeof(VersionInfo).Assembly.GetName().Version?.ToString(3) ?? "unknown";

    /// <summary>The commit of a build from a git checkout (the SDK appends it to the informational version as <c>+sha</c>); null otherwise.</summary>
    public static string? Commit
    {
        get
        {
            var informational = typeof(VersionInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            var plus = informational?.IndexOf('+', StringComparison.Ordinal) ?? -1;
            return plus < 0 ? null : informational![(plus + 1)..];
        }
    }

    /// <summary>What <c>--version</c> prints: <c>agent 0.1.0 (commit 47c0db48c8a8)</c>.</summary>
    public static string Line => Commit is { Length: > 0 } c ? $"agent {Version} (commit {c[..Math.Min(12, c.Length)]})" : $"agent {Version}";
}
