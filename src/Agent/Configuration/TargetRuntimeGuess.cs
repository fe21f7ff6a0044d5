using System.Text.RegularExpressions;

namespace Agent.Configuration;

/// <summary>
/// What the configuration alone says about the target's runtime, before any process is seen (the
/// sidecar usually starts first). Only certain answers count: a selector naming a Python
/// interpreter or server, or .NET diagnostics switched off. Everything else is "unknown" and is
/// decided when the process is found.
/// </summary>
internal static partial class TargetRuntimeGuess
{
    /// <summary>Why a .NET-only action (dump, trace) cannot work on this target, or null if it may.</summary>
    public static string? WhyNoDotnet(TargetSettings target, RuntimeSettings runtime)
    {
        if (!runtime.Dotnet.Enabled)
        {
            return $"the agent's .NET diagnostics are off ({ConfigKey.Of(ConfigKey.Of(RuntimeOptions.Section, nameof(RuntimeOptions.Dotnet)), nameof(DotnetRuntimeOptions.Enabled))}=false)";
        }

        if (target.ProcessName is { } name && PythonName().IsMatch(name))
        {
            return $"the target is a Python process ({ConfigKey.Of(TargetOptions.Section, nameof(TargetOptions.ProcessName))}={name}); dumps and traces need a .NET target";
        }

        if (target.CommandLinePattern is { } pattern && PythonCommandLine().IsMatch(pattern.ToString()))
        {
            return $"the target is a Python process ({ConfigKey.Of(TargetOptions.Section, nameof(TargetOptions.CommandLinePattern))} names a Python interpreter or server); dumps and traces need a .NET target";
        }

        return null;
    }

    // Interpreters and the common Python servers; comm is cut at 15 bytes, so python3.12 stays whole.
    [GeneratedRegex(@"^(python[0-9.]*|gunicorn|uwsgi|uvicorn|celery|hypercorn|daphne)$", RegexOptions.IgnoreCase)]
    private static partial Regex PythonName();

    [GeneratedRegex(@"(^|[\s/^(])(python[0-9.]*|gunicorn|uwsgi|uvicorn|celery|hypercorn|daphne)\b", RegexOptions.IgnoreCase)]
    private static partial Regex PythonCommandLine();
}
