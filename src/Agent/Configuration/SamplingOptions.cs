namespace Agent.Configuration;

/// <summary>The <c>Sampling</c> section.</summary>
internal sealed class SamplingOptions
{
    public const string Section = "Sampling";

    /// <summary>How often /proc is read; also the EventPipe counter interval.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Where procfs is mounted. <c>/proc</c> normally; a host's procfs mounted elsewhere
    /// (e.g. <c>/host/proc</c>) when the agent runs in its own PID namespace.
    /// </summary>
    public string ProcRoot { get; set; } = "/proc";
}
