using System.Text;
using Agent.Procfs;

namespace Agent.Sampling;

/// <summary>One process as seen by a scan of /proc.</summary>
internal sealed record ProcessEntry(int Pid, int ParentPid, string Comm, ulong StartTimeTicks);
