using Agent.Procfs;
using Agent.Runtimes;

namespace Agent.Diagnostics;

/// <summary>What runtime a target runs, as far as a capture cares.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(SnakeCaseEnumConverter<RuntimeKind>))]
internal enum RuntimeKind
{
    Other,
    Dotnet,
    Python,
}

/// <summary>Tells a .NET target (its diagnostic socket is visible) from a Python one (the executable's name, or a Python hook's socket: uwsgi embeds Python) from anything else.</summary>
internal sealed class TargetRuntime(ProcFs fs)
{
    public string? DotnetSocket(DiagnosticTarget target) => DiagnosticSocket.Find(fs.Process(target.Identity.Pid));

    public RuntimeKind Detect(DiagnosticTarget target)
    {
        if (DotnetSocket(target) is not null)
        {
            return RuntimeKind.Dotnet;
        }

        var process = fs.Process(target.Identity.Pid);
        return Runtimes.Python.PythonTargetMembers.LooksPython(process) || Runtimes.Python.PythonHook.Find(process) is not null ? RuntimeKind.Python : RuntimeKind.Other;
    }
}
