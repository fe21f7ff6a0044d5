using System.Globalization;

namespace Agent.Sampling;

/// <summary>
/// The process holding a TCP socket that listens on a port (v4 or v6): the socket's inode from
/// <c>net/tcp{,6}</c>, matched against the processes' <c>fd/</c> links — no <c>ss</c>, no netlink.
/// In a pod the port names the app unambiguously; under systemd it needs no pid file. A socket
/// shared by a master and its workers (gunicorn, nginx) selects the tree's root.
/// </summary>
internal sealed class PortSelector(int port) : TargetSelector
{
    public override string Description => string.Create(CultureInfo.InvariantCulture, $"port={port}");

    public override Selection Select(SelectionContext context)
    {
        var inodes = context.Fs.ListeningInodes(port);
        if (inodes.Count == 0)
        {
            return Selection.NotFound(string.Create(CultureInfo.InvariantCulture, $"nothing listens on TCP port {port}"));
        }

        var holders = new List<ProcessEntry>();
        var held = new HashSet<ulong>();
        var denied = 0;
        foreach (var p in context.Table.Processes)
        {
            if (!context.IsCandidate(p))
            {
                continue;
            }

            held.Clear();
            if (context.Fs.Process(p.Pid).ReadSocketInodes(held) == Procfs.ProcReadStatus.Denied)
            {
                denied++;
            }
            else if (held.Overlaps(inodes))
            {
                holders.Add(p);
            }
        }

        if (holders.Count == 0)
        {
            return Selection.NotFound(string.Create(CultureInfo.InvariantCulture,
                $"TCP port {port} is listened on, but by no process whose fd/ the agent may read ({denied} denied: run as the target's user or grant CAP_SYS_PTRACE)"));
        }

        return PickRoot(holders, Description);
    }
}
