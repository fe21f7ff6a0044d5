namespace Agent.Configuration;

/// <summary>The <c>Diagnostics</c> section: on-demand evidence (snapshots, dumps, traces, stacks).</summary>
internal sealed class DiagnosticsOptions
{
    public const string Section = "Diagnostics";

    /// <summary>
    /// Unset: the /diag routes are on exactly when a token is configured. <c>true</c> without a
    /// token stops startup (a dump holds the target's memory: never serve it unauthenticated);
    /// <c>false</c> turns them off even with a token.
    /// </summary>
    public bool? Enabled { get; set; }

    /// <summary>Where artifacts are written. For .NET dumps the target writes the file itself, so
    /// this path must be the same in the target's container (a shared emptyDir).</summary>
    public string Directory { get; set; } = "/tmp/agent-diagnostics";

    /// <summary>Total size of all artifacts; the oldest are deleted first to make room.</summary>
    public long MaxBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>A capture is refused when free space on the directory's filesystem would drop below this.</summary>
    public long MinFreeBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Artifacts older than this are deleted.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Where a Python target's faulthandler writes <c>python-stacks-&lt;pid&gt;.txt</c> (the shared /tmp).</summary>
    public string StacksDirectory { get; set; } = "/tmp";

    /// <summary>The longest trace a request may ask for.</summary>
    public TimeSpan MaxTraceDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The window of a triggered <c>heap</c> capture, and of a Python <c>/diag/heap</c> without <c>seconds</c>: how long growth is measured.</summary>
    public TimeSpan HeapWindow { get; set; } = TimeSpan.FromSeconds(30);
}
