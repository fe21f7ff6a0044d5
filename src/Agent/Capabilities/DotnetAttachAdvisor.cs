using Agent.Configuration;
using Agent.Procfs;
using Agent.Runtimes;

namespace Agent.Capabilities;

/// <summary>The running agent's <see cref="IAttachAdvisor"/>: the diagnostic-socket entry of <c>agent check</c> for one process.</summary>
internal sealed class DotnetAttachAdvisor(ProcFs procfs, RuntimeSettings runtime, TimeProvider time) : IAttachAdvisor
{
    public async Task<DotnetSessionProblem?> ExplainAsync(int pid, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var process = procfs.Process(pid);
        var found = await DotnetSocketCheck.CheckAsync(process, runtime.Dotnet, CapabilityInspector.Credentials(procfs.Self(), buffer), CapabilityInspector.Credentials(process, buffer), CapabilityInspector.SocketTimeout, cancellationToken);
        return found.Status == CapabilityStatus.Available ? null : new DotnetSessionProblem(found.Detail, found.Fix, time.GetUtcNow());
    }
}
