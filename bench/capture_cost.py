#!/usr/bin/python3
"""What a capture costs: (1) the target's CPU during a 10 s trace, against the same target doing
the same steady work with no trace (alternating windows, read from /proc/<pid>/stat, not from the
agent); (2) how fast /health and /ready answer while a dump, a trace and a heap summary run,
against the same polling with nothing running. Loopback only, bounded; prints Markdown rows and
the load average (the figures mean little on a busy machine).

Usage: bench/capture_cost.py [--agent PATH] [--rounds 3] [--busy 30] [--seconds 10]
Needs: dotnet build tests/DotnetTarget -c Release, and the agent (default: the JIT build
src/Agent/bin/Release/net10.0/agent.dll; pass --agent out/agent for the Native AOT binary).
"""
import argparse
import http.client
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from benchlib import free_port, cpu, loadavg

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOKEN = "bench-diagnostics-token-0123456789"


class Agent:
    def __init__(self, port):
        self.port = port

    def request(self, method, path, token=True):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        c.request(method, path, headers={"Authorization": f"Bearer {TOKEN}"} if token else {})
        r = c.getresponse()
        body = r.read()
        c.close()
        return r.status, body

    def capture(self, path):
        status, body = self.request("POST", path)
        assert status == 202, (status, body)
        return json.loads(body)["id"]

    def state(self, artifact):
        _, body = self.request("GET", "/diag/artifacts")
        return next(e for e in json.loads(body) if e["id"] == artifact)

    def wait(self, artifact, seconds=180):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            e = self.state(artifact)
            if e["state"] != "running":
                return e
            time.sleep(0.2)
        raise TimeoutError(artifact)


def probe_latencies(agent, stop):
    """/health and /ready back to back on one keep-alive connection until stop is set; ms each."""
    out = []
    c = http.client.HTTPConnection("127.0.0.1", agent.port, timeout=30)
    while not stop.is_set():
        for path in ("/health", "/ready"):
            t = time.perf_counter()
            c.request("GET", path)
            c.getresponse().read()
            out.append((time.perf_counter() - t) * 1000)
    c.close()
    return out


def stats(ms):
    ms = sorted(ms)
    return f"{len(ms)} | {ms[len(ms) // 2]:.1f} | {ms[min(len(ms) - 1, int(len(ms) * 0.99))]:.1f} | {ms[-1]:.1f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--agent", default=None)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--busy", type=int, default=30, help="the target works this many ms of every 100 ms")
    ap.add_argument("--seconds", type=int, default=10)
    a = ap.parse_args()
    agent_cmd = [a.agent] if a.agent else ["dotnet", os.path.join(ROOT, "src/Agent/bin/Release/net10.0/agent.dll")]
    work = tempfile.mkdtemp(prefix="capture-cost-")
    dll = os.path.join(ROOT, "tests/DotnetTarget/bin/Release/net10.0/DotnetTarget.dll")
    target = subprocess.Popen(["dotnet", dll], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    port = free_port()
    agent_proc = None
    try:
        assert target.stdout.readline().startswith("ready")
        target.stdin.write(f"busy {a.busy}\nhold 100000\n")
        target.stdin.flush()
        agent_proc = subprocess.Popen(agent_cmd + [
            "--urls", f"http://127.0.0.1:{port}", f"--Target:Pid={target.pid}",
            f"--Security:DiagnosticsToken={TOKEN}", f"--Diagnostics:Directory={work}/artifacts",
            "--Diagnostics:MinFreeBytes=0"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        agent = Agent(port)
        deadline = time.monotonic() + 30
        while True:
            try:
                if agent.request("GET", "/health", token=False)[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "agent did not start"
            time.sleep(0.2)
        time.sleep(3)  # counters attached, steady state

        # (1) target CPU: alternate plain and traced windows of the same length.
        rows = []
        for r in range(a.rounds):
            c0 = cpu(target.pid)
            time.sleep(a.seconds)
            plain = cpu(target.pid) - c0
            c0 = cpu(target.pid)
            t0 = time.monotonic()
            done = agent.wait(agent.capture(f"/diag/trace?target=app&seconds={a.seconds}&profile=cpu"))
            traced = cpu(target.pid) - c0
            elapsed = time.monotonic() - t0
            rows.append((plain / a.seconds, traced / elapsed, done["bytes"], elapsed))
        print(f"Target CPU, {a.busy} ms of work per 100 ms, {a.seconds} s windows, load average {loadavg()}:\n")
        print("| round | without trace (cores) | during a cpu trace (cores) | added | trace bytes | request to done |")
        print("|---|---|---|---|---|---|")
        for i, (p, t, b, e) in enumerate(rows, 1):
            print(f"| {i} | {p:.3f} | {t:.3f} | {(t - p) / p * 100:+.1f} % | {b:,} | {e:.1f} s |")
        mp = sum(r[0] for r in rows) / len(rows)
        mt = sum(r[1] for r in rows) / len(rows)
        print(f"| mean | {mp:.3f} | {mt:.3f} | {(mt - mp) / mp * 100:+.1f} % ({mt - mp:+.3f} cores) | | |\n")

        # (2) /health and /ready latency: idle, then while each capture runs.
        print(f"/health + /ready back to back (one keep-alive connection), load average {loadavg()}:\n")
        print("| during | requests | median ms | p99 ms | max ms | capture bytes | capture seconds |")
        print("|---|---|---|---|---|---|---|")
        for name, path in [("nothing (5 s)", None), ("heap dump", "/diag/dump?target=app&type=heap"),
                           (f"trace {a.seconds} s", f"/diag/trace?target=app&seconds={a.seconds}&profile=default"),
                           ("heap summary", "/diag/heap?target=app")]:
            stop = threading.Event()
            result = []
            poller = threading.Thread(target=lambda: result.extend(probe_latencies(agent, stop)))
            poller.start()
            t0 = time.monotonic()
            if path is None:
                time.sleep(5)
                size = ""
            else:
                size = f"{agent.wait(agent.capture(path))['bytes']:,}"
            took = time.monotonic() - t0
            stop.set()
            poller.join()
            print(f"| {name} | {stats(result)} | {size} | {took:.1f} |")
        print(f"\nload average after: {loadavg()}")
    finally:
        if agent_proc:
            agent_proc.terminate()
            agent_proc.wait(10)
        target.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
