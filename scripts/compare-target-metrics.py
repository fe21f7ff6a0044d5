#!/usr/bin/env python3
"""Two builds of the agent side by side on the same targets: prints whether their target_* families
and values agree. The targets have a simple lifecycle (nothing exits): a single process
(tests/fixtures/targets/burner.py, idle after 1 s of CPU) and a gunicorn master with 4 idle workers
(IncludeChildren), so both builds must report the same numbers.

  scripts/compare-target-metrics.py OLD/agent.dll NEW/agent.dll

Build the old one from a checkout of the commit to compare with (`git worktree add /tmp/old <commit>`,
`dotnet build /tmp/old/src/Agent -c Release`). Needs gunicorn and python3-flask (test.sh installs them).
"""
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

TARGETS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "targets")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def series(port):
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
    out = {}
    for line in text.splitlines():
        m = re.match(r"^(target_[a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)", line)
        if m and m.group(1) != "target_info":
            out[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    return out


def wait_for(what, check, seconds=30):
    end = time.monotonic() + seconds
    while not check():
        if time.monotonic() > end:
            sys.exit(f"{what}: not within {seconds} s")
        time.sleep(0.1)


def main(old, new):
    procs = []
    try:
        burner = subprocess.Popen(["/usr/bin/python3", os.path.join(TARGETS, "burner.py"), "64", "3", "1.0"], stdout=subprocess.PIPE)
        procs.append(burner)
        burner.stdout.readline()  # 'ready': its values are stable from now on
        web = free_port()
        procs.append(subprocess.Popen(["gunicorn", "-w", "4", "-b", f"127.0.0.1:{web}", "--chdir", TARGETS, "flask_app:app"], stderr=subprocess.DEVNULL))
        ports = []
        for dll in (old, new):
            port = free_port()
            procs.append(subprocess.Popen(["dotnet", dll, "--urls", f"http://127.0.0.1:{port}", f"--Targets:single:Pid={burner.pid}",
                                           f"--Targets:tree:Port={web}", "--Targets:tree:IncludeChildren=true", "--Runtime:Dotnet:Enabled=false"],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            ports.append(port)
        for port in ports:
            wait_for(f"agent on {port}: the gunicorn tree summed", lambda: _count(port) == 5)
        a, b = series(ports[0]), series(ports[1])
        families = lambda d: sorted({k.split("{")[0] for k in d})
        print(f"families: {len(families(a))} and {len(families(b))}, equal: {families(a) == families(b)}")
        print(f"series: {len(a)} and {len(b)}")
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                print(f"  differs: {key} {a.get(key)} {b.get(key)}")
    finally:
        for p in reversed(procs):
            p.send_signal(signal.SIGKILL)


def _count(port):
    try:
        return series(port).get('target_processes{target="tree"}')
    except OSError:
        return None


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
