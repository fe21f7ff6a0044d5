#!/usr/bin/python3
"""The agent's resident memory over a long run beside a .NET target whose thread pool is saturated
(N work items that each block for the whole run), the agent attached to its runtime over EventPipe
and scraped like Prometheus would. Prints one row per sample and a summary; loopback only.

Usage: bench/rss_saturated_target.py --agent PATH [--minutes 30] [--every 30] [--blocked 500]
                                      [--interval 00:00:01] [--scrape 5] [--csv FILE] [--no-gen0-budget]
Needs: the built test target (dotnet build tests/DotnetTarget -c Release). The agent runs with the
environment the Dockerfile ships (DOTNET_gcServer=0, DOTNET_GCGen0MaxBudget=100000).
"""
import argparse
import os
import subprocess
import sys
import time
import urllib.request
from benchlib import free_port, status

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def metric(body, name):
    for line in body.splitlines():
        if line.startswith(name):
            return line.rsplit(" ", 1)[1]
    return "-"


def gc_heap(body):
    """The agent's own GC heap (sum of generations at the last collection) and committed GC memory, in MiB."""
    heap = committed = 0.0
    for line in body.splitlines():
        if line.startswith("dotnet_gc_last_collection_heap_size_bytes{"):
            heap += float(line.rsplit(" ", 1)[1])
        elif line.startswith("dotnet_gc_last_collection_memory_committed_size_bytes"):
            committed = float(line.rsplit(" ", 1)[1])
    return heap / 2**20, committed / 2**20


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--agent", required=True, help="agent executable (the Native AOT binary)")
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--every", type=float, default=30, help="seconds between samples")
    ap.add_argument("--blocked", type=int, default=500, help="thread-pool items blocking for the whole run")
    ap.add_argument("--interval", default="00:00:01", help="Sampling:Interval")
    ap.add_argument("--scrape", type=float, default=5, help="seconds between /metrics scrapes")
    ap.add_argument("--csv", default=None)
    ap.add_argument("--no-gen0-budget", action="store_true", help="run without the shipped DOTNET_GCGen0MaxBudget (the GC's own default budget)")
    a = ap.parse_args()

    dll = os.path.join(ROOT, "tests/DotnetTarget/bin/Release/net10.0/DotnetTarget.dll")
    target = subprocess.Popen(["dotnet", dll], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    agent = None
    rows = []
    try:
        assert target.stdout.readline().startswith("ready")
        block_ms = int((a.minutes * 60 + 600) * 1000)
        target.stdin.write(f"block {a.blocked} {block_ms}\n")
        target.stdin.flush()
        assert target.stdout.readline().startswith("state")
        port = free_port()
        env = dict(os.environ, DOTNET_gcServer="0", DOTNET_GCGen0MaxBudget="100000")
        if a.no_gen0_budget:
            del env["DOTNET_GCGen0MaxBudget"]
        agent = subprocess.Popen(
            [a.agent, "--urls", f"http://127.0.0.1:{port}", f"--Target:Pid={target.pid}", f"--Sampling:Interval={a.interval}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        url = f"http://127.0.0.1:{port}/metrics"
        start = time.monotonic()
        next_sample = start
        next_scrape = start
        body = ""
        print("minute  VmRSS_MiB  RssAnon_MiB  agent_threads  agent_fds  target_threads  connected  tp_threads  gc_heap_MiB  gc_committed_MiB", flush=True)
        while time.monotonic() - start <= a.minutes * 60:
            now = time.monotonic()
            if now >= next_scrape:
                try:
                    with urllib.request.urlopen(url, timeout=5) as r:
                        body = r.read().decode()
                except OSError:
                    pass
                next_scrape += a.scrape
            if now >= next_sample:
                s = status(agent.pid)
                row = (
                    (now - start) / 60,
                    s["VmRSS"] / 1024,
                    s["RssAnon"] / 1024,
                    s["Threads"],
                    fds(agent.pid),
                    status(target.pid)["Threads"],
                    metric(body, 'target_runtime_connected{runtime="dotnet"'),
                    metric(body, "target_dotnet_threadpool_threads"),
                    *gc_heap(body),
                )
                rows.append(row)
                print("%6.1f  %9.1f  %11.1f  %13d  %9d  %14d  %9s  %10s  %11.1f  %16.1f" % row, flush=True)
                next_sample += a.every
            time.sleep(min(next_sample, next_scrape) - time.monotonic() if min(next_sample, next_scrape) > time.monotonic() else 0)
    finally:
        if agent:
            agent.terminate()
            agent.wait(10)
        target.kill()
        target.wait(10)

    if a.csv:
        with open(a.csv, "w") as f:
            f.write("minute,vmrss_mib,rssanon_mib,agent_threads,agent_fds,target_threads,connected,tp_threads,gc_heap_mib,gc_committed_mib\n")
            for r in rows:
                f.write(",".join(str(x) for x in r) + "\n")
    if len(rows) >= 4:
        half = len(rows) // 2
        first = max(r[1] for r in rows[:half])
        last = max(r[1] for r in rows[half:])
        print(f"max VmRSS first half {first:.1f} MiB, second half {last:.1f} MiB, drift {last - first:+.1f} MiB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
