#!/usr/bin/python3
"""The agent's memory while it diffs a large .NET heap: tests/DotnetTarget holding --objects
HeapEvidenceMarker objects (plus its own), `POST /diag/heap?seconds=N` (two heap walks N s apart,
the second keeping the object graph for the holders within its 64 MiB budget), with --leak
LeakedWidget objects added into a Dictionary between the walks. Reads the agent's VmHWM (peak
RSS) from /proc before and after, and the artifact's own figures (objects, graph peak, holders).

Usage: bench/heap_diff_memory.py [--agent out/native/agent] [--objects 1000000] [--leak 200000] [--seconds 10]
Needs: dotnet build tests/DotnetTarget -c Release; the agent (default: the JIT build).
"""
import argparse
import http.client
import json
import os
import subprocess
import tempfile
import time
from benchlib import free_port, status

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOKEN = "bench-diagnostics-token-0123456789"


def request(port, method, path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request(method, path, headers={"Authorization": f"Bearer {TOKEN}"})
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body


def command(target, line):
    target.stdin.write(line + "\n")
    target.stdin.flush()
    while True:
        out = target.stdout.readline()
        if out.startswith("state "):
            return dict(kv.split("=") for kv in out.split()[1:])


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--agent")
    a.add_argument("--objects", type=int, default=1_000_000)
    a.add_argument("--leak", type=int, default=200_000)
    a.add_argument("--seconds", type=int, default=10)
    a.add_argument("--again", type=int, default=1, help="further captures after the first, to see whether memory settles")
    args = a.parse_args()

    dll = os.path.join(ROOT, "tests", "DotnetTarget", "bin", "Release", "net10.0", "DotnetTarget.dll")
    target = subprocess.Popen(["dotnet", dll], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert target.stdout.readline().startswith("ready")
    state = command(target, f"hold {args.objects}")
    directory = tempfile.mkdtemp(prefix="heap-diff-bench-")
    port = free_port()
    agent_cmd = [args.agent] if args.agent else ["dotnet", os.path.join(ROOT, "src", "Agent", "bin", "Release", "net10.0", "agent.dll")]
    env = dict(os.environ, DOTNET_gcServer="0", DOTNET_GCGen0MaxBudget="100000")
    agent = subprocess.Popen(agent_cmd + ["--urls", f"http://127.0.0.1:{port}", f"--Target:Pid={target.pid}",
                                          f"--Security:DiagnosticsToken={TOKEN}", f"--Diagnostics:Directory={directory}"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                             # An empty working directory: the host watches its content root for
                             # appsettings.json changes, and a busy /tmp as the cwd grows that watcher.
                             cwd=tempfile.mkdtemp(prefix="heap-diff-cwd-"))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if request(port, "GET", "/health")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "agent never healthy"
            time.sleep(0.2)
        time.sleep(3)
        before = status(agent.pid)
        started = time.monotonic()
        code, body = request(port, "POST", f"/diag/heap?target=app&seconds={args.seconds}")
        assert code == 202, body
        artifact_id = json.loads(body)["id"]
        gen2 = int(command(target, "state")["gen2"])
        while int(command(target, "state")["gen2"]) == gen2:  # the first walk's collection
            time.sleep(0.1)
        leaked = command(target, f"leak {args.leak}")
        while True:
            entries = json.loads(request(port, "GET", "/diag/artifacts")[1])
            entry = next(e for e in entries if e["id"] == artifact_id)
            if entry["state"] != "running":
                break
            time.sleep(0.2)
        took = time.monotonic() - started
        after = status(agent.pid)
        assert entry["state"] == "done", entry
        growth = json.loads(request(port, "GET", f"/diag/artifacts/{artifact_id}")[1])
        print(f"load average {open('/proc/loadavg').read().split()[:3]}; agent {' '.join(agent_cmd)}")
        print("| what | figure |")
        print("|---|---:|")
        print(f"| objects on the heap at the walks | {growth['before']['objects']:,} / {growth['after']['objects']:,} |")
        print(f"| agent VmHWM before the capture / after | {before['VmHWM']:,} kB / {after['VmHWM']:,} kB (+{after['VmHWM'] - before['VmHWM']:,} kB) |")
        print(f"| agent VmRSS before / after | {before['VmRSS']:,} kB / {after['VmRSS']:,} kB (anonymous {before['RssAnon']:,} / {after['RssAnon']:,} kB) |")
        print(f"| the graph's own peak (artifact) | {growth['holders']['peakBytes'] / 1048576:.1f} MiB of a {growth['holders']['budgetBytes'] / 1048576:.0f} MiB budget |")
        print(f"| request to done ({args.seconds} s window) | {took:.1f} s |")
        print(f"| top finding | {growth['findings'][0]} |")
        print(f"| the target's own count | {leaked['widgets']} widgets, {state['markers']} markers |")
        for n in range(args.again):
            code, body = request(port, "POST", f"/diag/heap?target=app&seconds={args.seconds}")
            assert code == 202, body
            artifact_id = json.loads(body)["id"]
            while next(e for e in json.loads(request(port, "GET", "/diag/artifacts")[1]) if e["id"] == artifact_id)["state"] == "running":
                time.sleep(0.2)
            again = status(agent.pid)
            print(f"| after capture {n + 2} | VmHWM {again['VmHWM']:,} kB, VmRSS {again['VmRSS']:,} kB (anonymous {again['RssAnon']:,} kB) |")
    finally:
        agent.terminate()
        target.kill()
        agent.wait()
        target.wait()


if __name__ == "__main__":
    main()
