#!/usr/bin/python3
"""What continuous CPU profiling costs a CPU-bound target: the target's own work rate (loops per
second, counted by the target) alone, with the agent attached and profiling off, and with profiling
at the given interval/window; plus the rate inside windows only and the agent's CPU per window.
.NET (tests/DotnetTarget's CpuBurner): the runtime suspends the target for each sample, so the loss
inside a window divided by the samples per second (from the pprof's period) is the cost per sample.
Python (tests/fixtures/targets/cpu_burn.py with the hook on PYTHONPATH): the hook's sampling thread
takes the GIL 100 times a second during a window. Loopback only.

Usage: bench/profile_cost.py [--runtime dotnet|python] [--seconds 60] [--agent PATH] [--interval 00:01:00] [--window 00:00:05]
Needs: dotnet build tests/DotnetTarget -c Release (for .NET) and the agent built or published.
"""
import argparse
import gzip
import json
import os
import subprocess
import time
import urllib.request
from benchlib import free_port, cpu

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOKEN = "bench-diag-t0ken-0123456789"


class Target:
    def __init__(self, dll):
        self.p = subprocess.Popen(["dotnet", dll], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.p.stdout.readline().startswith("ready")

    def state(self, command="state"):
        self.p.stdin.write(command + "\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        return {k: int(v) for k, v in (kv.split("=") for kv in line.split()[1:])}

    def loops(self):
        return self.state()["loops"]

    def rate(self, seconds):
        a, t0 = self.loops(), time.monotonic()
        time.sleep(seconds)
        b, t1 = self.loops(), time.monotonic()
        return (b - a) / (t1 - t0)


class PythonTarget(Target):
    def __init__(self, script):
        env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src/python-hook"))
        self.p = subprocess.Popen(["/usr/bin/python3", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        line = self.p.stdout.readline()
        assert "hook=True" in line, line

    def loops(self):
        self.p.stdin.write("state\n")
        self.p.stdin.flush()
        return json.loads(self.p.stdout.readline())["loops"]


def varint(buf, i):
    value = shift = 0
    while True:
        b = buf[i]
        value |= (b & 0x7F) << shift
        i += 1
        shift += 7
        if b < 0x80:
            return value, i


def pprof_period_ns(data):
    """Profile.period (field 12) from a gzipped profile.proto, read by hand: the nanoseconds one sample stands for."""
    buf = gzip.decompress(data)
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        field, kind = key >> 3, key & 7
        if kind == 0:
            value, i = varint(buf, i)
            if field == 12:
                return value
        elif kind == 2:
            length, i = varint(buf, i)
            i += length
        elif kind == 1:
            i += 8
        elif kind == 5:
            i += 4
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runtime", choices=["dotnet", "python"], default="dotnet")
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--agent", default=None, help="agent command (default: dotnet src/Agent/bin/Release/net10.0/agent.dll); a native binary: out/agent")
    ap.add_argument("--target-dll", default=os.path.join(ROOT, "tests/DotnetTarget/bin/Release/net10.0/DotnetTarget.dll"))
    ap.add_argument("--interval", default="00:01:00")
    ap.add_argument("--window", default="00:00:05")
    a = ap.parse_args()
    agent_cmd = a.agent.split() if a.agent else ["dotnet", os.path.join(ROOT, "src/Agent/bin/Release/net10.0/agent.dll")]
    env = dict(os.environ, DOTNET_gcServer="0", DOTNET_GCGen0MaxBudget="100000")
    if a.runtime == "python":
        t = PythonTarget(os.path.join(ROOT, "tests/fixtures/targets/cpu_burn.py"))
    else:
        t = Target(a.target_dll)
        t.state("burn")
    time.sleep(3)

    def with_agent(extra, measure):
        port = free_port()
        agent = subprocess.Popen(agent_cmd + ["--urls", f"http://127.0.0.1:{port}", f"--Target:Pid={t.p.pid}",
                                              f"--Security:DiagnosticsToken={TOKEN}", "--Diagnostics:MinFreeBytes=0"] + extra,
                                 env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while True:  # until the agent answers /health (a JIT start under load takes seconds)
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2).read()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise SystemExit("the agent did not answer /health within 120 s")
                    time.sleep(0.2)
            time.sleep(2)
            return measure(agent, port)
        finally:
            agent.terminate()
            agent.wait(10)

    rows = []
    alone = t.rate(a.seconds)
    rows.append(("alone", alone))
    off = with_agent(["--Profiling:Enabled=false"], lambda ag, port: t.rate(a.seconds))
    rows.append(("agent, profiling off", off))

    def continuous(ag, port):
        c0 = cpu(ag.pid)
        r = t.rate(a.seconds)
        return r, cpu(ag.pid) - c0
    (on, agent_cpu) = with_agent([f"--Profiling:Interval={a.interval}", f"--Profiling:Window={a.window}"], continuous)
    rows.append((f"agent, profiling {a.window} every {a.interval}", on))

    # Inside a window: an on-demand 5 s window, measured over the same 5 s.
    def in_window(ag, port):
        req = urllib.request.Request(f"http://127.0.0.1:{port}/diag/profile?target=app&seconds=5", headers={"Authorization": f"Bearer {TOKEN}"})
        import threading
        out = {}
        th = threading.Thread(target=lambda: out.setdefault("pprof", urllib.request.urlopen(req, timeout=60).read()))
        c0 = cpu(ag.pid)
        th.start()
        time.sleep(0.5)
        r = t.rate(4)
        th.join()
        return r, cpu(ag.pid) - c0, out.get("pprof", b"")
    (inside, window_cpu, pprof) = with_agent(["--Profiling:Enabled=false"], in_window)
    rows.append(("inside a 5 s window", inside))

    print(f"| run | target loops/s | vs alone |")
    print(f"|---|---|---|")
    for name, r in rows:
        print(f"| {name} | {r:,.0f} | {100 * (r / alone - 1):+.1f} % |")
    print(f"\n{a.runtime} target; agent CPU over {a.seconds} s with continuous profiling: {agent_cpu:.2f} s; one on-demand 5 s window: {window_cpu:.2f} s agent CPU, pprof {len(pprof)} bytes")
    if a.runtime == "dotnet" and pprof:
        period = pprof_period_ns(pprof)
        per_second = 1e9 / period
        lost = max(0.0, 1 - inside / alone)
        print(f"samples per second inside the window: {per_second:,.0f} (pprof period {period / 1000:.0f} us); "
              f"target time lost per sample: {lost / per_second * 1e6:.1f} us ({100 * lost:.1f} % of its loop rate)")
    t.p.kill()


if __name__ == "__main__":
    main()
