namespace Agent.Runtimes;

/// <summary>
/// Says why the agent cannot attach to a process's .NET runtime, and the fix — what
/// <c>agent check</c> says about the diagnostic socket — so the running agent's log line carries
/// the same cause and fix. Null when the socket answers (the failure was transient).
/// </summary>
internal interface IAttachAdvisor
{
    Task<DotnetSessionProblem?> ExplainAsync(int pid, CancellationToken cancellationToken);
}
