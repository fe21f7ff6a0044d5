"""What every bench script reads the same way: a free loopback port, a process's CPU seconds and
memory from /proc, the load average. Imported by the scripts beside it (run them as bench/NAME.py)."""
import os
import socket

CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu(pid):
    """utime + stime of /proc/<pid>/stat, in seconds (fields after the command's closing parenthesis)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def status(pid):
    """VmRSS, RssAnon, RssFile, VmHWM (kB) and Threads from /proc/<pid>/status."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile", "VmHWM", "Threads"):
                out[key] = int(value.split()[0])
    return out


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])
