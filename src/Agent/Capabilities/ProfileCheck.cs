namespace Agent.Capabilities;

/// <summary>
/// Can the agent take CPU profiles of the target? Through the .NET diagnostic socket (EventPipe's
/// sample profiler) or through the Python hook's <c>profile</c> request — so the answer is read
/// from those two checks, never guessed: a hook copied before <c>profile</c> existed answers
/// <c>hello</c> but cannot profile, and says so.
/// </summary>
internal static class ProfileCheck
{
    public const string Name = "cpu_profile";

    public const string Affects = "/diag/profile (pprof), the kept windows with Profiling:Enabled=true, trigger Actions=profile and the page's flame graphs";

    public static Capability From(Capability dotnetSocket, Capability pythonHook, Runtimes.Python.PythonHello? hello)
    {
        if (dotnetSocket.Status == CapabilityStatus.Available)
        {
            return new(Name, CapabilityStatus.Available, "through the .NET diagnostic socket: EventPipe's sample profiler, managed frames named by the agent", null, Affects);
        }

        if (pythonHook.Status == CapabilityStatus.Available && hello is not null)
        {
            return hello.Requests.Contains("profile")
                ? new(Name, CapabilityStatus.Available, "through the Python hook's profile request: each thread's CPU time by stack, stdlib only", null, Affects)
                : new(Name, CapabilityStatus.Unavailable, "the Python hook answers but predates the profile request", "replace the application's copy with the hook this agent prints (agent python-hook > sidecar_hook.py)", Affects, OptIn: true);
        }

        if (dotnetSocket.Status == CapabilityStatus.NotApplicable && pythonHook.Status == CapabilityStatus.NotApplicable)
        {
            return new(Name, CapabilityStatus.NotApplicable, "neither a .NET runtime nor a Python hook: profiles need one of the two channels", null, Affects);
        }

        // The channel's own item already says what is wrong and how to fix it (and fails the check
        // when it must): this one points at it instead of reporting the same problem twice.
        var why = dotnetSocket.Status == CapabilityStatus.Unavailable ? dotnetSocket : pythonHook;
        return new(Name, CapabilityStatus.NotApplicable, $"needs {why.Name}, which is unavailable: {why.Detail}", null, Affects);
    }
}
