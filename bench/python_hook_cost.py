#!/usr/bin/python3
"""What the Python hook costs the application, read from /proc/<pid> (not from the hook or the agent):

1. an allocation window: the target's CPU and RSS before, during and after one `allocations`
   request of --window seconds (tracemalloc started by the hook, stopped after the window), on
   tests/fixtures/targets/cycles.py (200 reference cycles every 20 ms: a small-object churn, the
   case tracemalloc slows most);
2. idle: the hook's RSS (the same quiet app with and without the hook on PYTHONPATH), its CPU over
   --idle seconds with nothing asking, and the target's CPU per `gc` request (what the agent sends
   every sampling interval), over --reads requests.

Usage: bench/python_hook_cost.py [--window 30] [--phase 20] [--idle 30] [--reads 2000]
Runs Debian's /usr/bin/python3; prints Markdown rows and the load average.
"""
import argparse
import json
import os
import socket
import subprocess
import tempfile
import threading
import time
from benchlib import cpu, status, loadavg

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGETS = os.path.join(ROOT, "tests", "fixtures", "targets")
HOOK = os.path.join(ROOT, "src", "python-hook")


def ask(pid, request, timeout=120):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(timeout)
    s.connect(f"/tmp/sidecar-hook-{pid}.sock")
    s.sendall((json.dumps(request) + "\n").encode())
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    return json.loads(data)


def start(script, hook=True):
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if hook:
        env["PYTHONPATH"] = HOOK
    p = subprocess.Popen(["/usr/bin/python3", os.path.join(TARGETS, script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True)
    line = p.stdout.readline()
    assert line.startswith("ready"), line
    if hook:
        deadline = time.monotonic() + 10
        while True:
            try:
                ask(p.pid, {"v": 1, "request": "hello"}, timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
    return p


def phase(pid, seconds, samples=None):
    """CPU in cores over the phase; RSS sampled every 0.5 s (kB: mean, max)."""
    c0, t0 = cpu(pid), time.monotonic()
    rss = []
    while time.monotonic() - t0 < seconds:
        rss.append(status(pid)["VmRSS"])
        time.sleep(0.5)
    cores = (cpu(pid) - c0) / (time.monotonic() - t0)
    return cores, sum(rss) / len(rss), max(rss), (samples or {})


def window_cost(window, seconds):
    p = start("cycles.py")
    try:
        time.sleep(2)  # imports done, steady churn
        before = phase(p.pid, seconds)
        answer = {}
        t = threading.Thread(target=lambda: answer.update(ask(p.pid, {"v": 1, "request": "allocations", "seconds": window, "frames": 5})))
        t.start()
        during = phase(p.pid, window)
        t.join()
        after = phase(p.pid, seconds)
        print(f"\nallocation window of {window} s on cycles.py (load average {loadavg()}):\n")
        print("| phase | target CPU (cores) | VmRSS mean | VmRSS max |")
        print("|---|---:|---:|---:|")
        for name, (cores, mean, peak, _) in (("before", before), (f"during the {window} s window", during), ("after", after)):
            print(f"| {name} | {cores:.3f} | {mean / 1024:.1f} MiB | {peak / 1024:.1f} MiB |")
        print(f"\nthe hook's answer: traced peak {answer.get('tracedPeak', 0) / 1024:.0f} KiB, tracemalloc's own memory {answer.get('tracemallocOverhead', 0) / 1024:.0f} KiB, "
              f"sites growing {answer.get('sitesGrowing')}, growth {answer.get('sizeDiff', 0) / 1024:.1f} KiB; tracing after the window: {ask(p.pid, {'v': 1, 'request': 'hello'})['tracing']}")
    finally:
        p.kill()
        p.wait()


def idle_cost(idle, reads):
    print(f"\nidle cost on gc_on_cue.py (a quiet app; load average {loadavg()}):\n")
    without = start("gc_on_cue.py", hook=False)
    time.sleep(1)
    rss_without = status(without.pid)
    without.kill()
    without.wait()

    p = start("gc_on_cue.py")
    try:
        time.sleep(1)
        rss_with = status(p.pid)
        c0 = cpu(p.pid)
        time.sleep(idle)
        idle_cpu = cpu(p.pid) - c0
        c0, t0 = cpu(p.pid), time.monotonic()
        for _ in range(reads):
            assert ask(p.pid, {"v": 1, "request": "gc"})["ok"]
        spent, wall = cpu(p.pid) - c0, time.monotonic() - t0
        print("| what | figure |")
        print("|---|---:|")
        print(f"| VmRSS without the hook / with it | {rss_without['VmRSS']} kB / {rss_with['VmRSS']} kB (+{rss_with['VmRSS'] - rss_without['VmRSS']} kB) |")
        print(f"| RssAnon without / with | {rss_without['RssAnon']} kB / {rss_with['RssAnon']} kB (+{rss_with['RssAnon'] - rss_without['RssAnon']} kB) |")
        print(f"| target CPU over {idle} s idle with the hook listening | {idle_cpu * 1000:.0f} ms |")
        print(f"| target CPU per gc request ({reads} in a row) | {spent / reads * 1e6:.0f} µs |")
        print(f"| so at 1 s sampling | {spent / reads * 100:.3f} % of a core |")
        print(f"| client round trip per gc request | {wall / reads * 1e3:.2f} ms |")
    finally:
        p.kill()
        p.wait()


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--window", type=int, default=30)
    a.add_argument("--phase", type=int, default=20)
    a.add_argument("--idle", type=int, default=30)
    a.add_argument("--reads", type=int, default=2000)
    args = a.parse_args()
    idle_cost(args.idle, args.reads)
    window_cost(args.window, args.phase)


if __name__ == "__main__":
    main()
