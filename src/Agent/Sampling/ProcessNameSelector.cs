using System.Text;

namespace Agent.Sampling;

/// <summary>
/// Matches the kernel's comm or the executable's file name. The kernel keeps the first 15
/// <b>bytes</b> of a program's name (UTF-8, cut even inside a character): a longer configured
/// name is cut the same way and decoded as the comm is, so <c>überwachungsdienst</c> matches the
/// comm <c>überwachungsdi</c>.
/// </summary>
internal sealed class ProcessNameSelector(string name) : TargetSelector
{
    /// <summary>TASK_COMM_LEN (16) less its terminating NUL.</summary>
    public const int CommBytes = 15;

    private readonly string _comm = KernelComm(name);

    public override string Description => $"name={name}";

    /// <summary>The comm the kernel gives a program named <paramref name="name"/>, as the agent decodes comms.</summary>
    public static string KernelComm(string name)
    {
        var bytes = Encoding.UTF8.GetBytes(name);
        return bytes.Length <= CommBytes ? name : Encoding.UTF8.GetString(bytes, 0, CommBytes);
    }

    public override Selection Select(SelectionContext context)
    {
        var t = context.Table;
        var matches = t.Processes
            .Where(p => context.IsCandidate(p) && (p.Comm == _comm || string.Equals(t.ExecutableName(p.Pid), name, StringComparison.Ordinal)))
            .ToList();
        return PickRoot(matches, Description);
    }
}
