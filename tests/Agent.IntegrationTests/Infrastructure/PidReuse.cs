using System.Globalization;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>
/// Forces a freed pid onto a new process: <c>/proc/sys/kernel/ns_last_pid</c> set to pid − 1
/// makes the next fork of this PID namespace get that pid (needs root). Any process of the machine
/// may fork in between, so it is tried until the new process has the pid.
/// </summary>
internal static class PidReuse
{
    public static ChildProcess Take(int pid, string file, IEnumerable<string> args)
    {
        var list = args.ToList();
        for (var attempt = 0; attempt < 500; attempt++)
        {
            File.WriteAllText("/proc/sys/kernel/ns_last_pid", (pid - 1).ToString(CultureInfo.InvariantCulture));
            var p = ChildProcess.Start(file, list);
            if (p.Pid == pid)
            {
                return p;
            }

            p.Kill();
        }

        throw new InvalidOperationException($"pid {pid} was not reused in 500 attempts (another process took it each time, or it is still in use)");
    }
}
