#!/usr/bin/python3
"""What reading a .NET app's own traffic costs the *target* and the agent (issue 32).

A real Kestrel app (tests/WebTarget, GET /ok) under wrk, in rounds; each round runs every mode once,
in a rotated order, so the machine's drift spreads over all of them:
  none     - no agent, no session
  runtime  - the agent attached with Traffic:Enabled=false (its System.Runtime session only)
  traffic  - the agent attached as shipped (the same session also carries the ASP.NET Core, Kestrel,
             HttpClient and DNS instruments: each interval's count, sum and quantiles)
  events   - no agent; dotnet-trace holding Microsoft.AspNetCore.Hosting's per-request
             RequestStart/RequestStop events (what buckets over raw durations would need)
Prints the median requests/s per mode, its ratio to `none`, and the agent's CPU per 1 000 requests/s.

Usage: bench/traffic_cost.py --agent PATH [--rounds 3] [--seconds 10] [--connections 16]
Needs: wrk, dotnet build tests/WebTarget -c Release, and for `events` dotnet-trace
(dotnet tool install --tool-path ~/.cache/sidecar-agent/dotnet-trace-10.0.750501 dotnet-trace --version 10.0.750501).
"""
import argparse
import os
import re
import signal
import statistics
import subprocess
import tempfile
import time
import urllib.request
from benchlib import free_port, cpu

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOTNET_TRACE = os.path.expanduser("~/.cache/sidecar-agent/dotnet-trace-10.0.750501/dotnet-trace")


def poll(what, check, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gave up after {seconds} s waiting for {what}")


def wrk(port, seconds, connections):
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", f"http://127.0.0.1:{port}/ok"],
                         capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--agent", required=True, help="the agent executable (the native binary)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--interval", default="00:00:01")
    a = ap.parse_args()
    modes = ["none", "runtime", "traffic", "events"]
    dll = os.path.join(ROOT, "tests/WebTarget/bin/Release/net10.0/WebTarget.dll")
    app = subprocess.Popen(["dotnet", dll, "--port", "0"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    rps = {m: [] for m in modes}
    target_us = {m: [] for m in modes}  # the target's CPU microseconds per request
    agent_cpu = []  # agent CPU seconds per second, per 1 000 requests/s, traffic mode
    agent_share = []  # agent CPU seconds per second, traffic mode
    try:
        assert app.stdout.readline().startswith("ready")
        port = int(app.stdout.readline().strip().split("=")[1])
        wrk(port, 5, a.connections)  # JIT and connection warm-up
        for r in range(a.rounds):
            for mode in modes[r % len(modes):] + modes[:r % len(modes)]:
                helper = None
                trace = None
                if mode in ("runtime", "traffic"):
                    mport = free_port()
                    helper = subprocess.Popen([a.agent, "--urls", f"http://127.0.0.1:{mport}", f"--Target:Pid={app.pid}",
                                               f"--Sampling:Interval={a.interval}", f"--Traffic:Enabled={'true' if mode == 'traffic' else 'false'}"],
                                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    url = f"http://127.0.0.1:{mport}/metrics"
                    poll("the agent's session to deliver (target_runtime_connected 1)",
                         lambda: re.search(r'target_runtime_connected\{[^}]*\} 1', urllib.request.urlopen(url, timeout=2).read().decode()))
                elif mode == "events":
                    trace = tempfile.mktemp(suffix=".nettrace")
                    helper = subprocess.Popen([DOTNET_TRACE, "collect", "-p", str(app.pid), "--providers", "Microsoft.AspNetCore.Hosting:0x0:4",
                                               "-o", trace], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
                    # dotnet-trace prints the session's process and output file once the session is on.
                    while "Output File" not in (line := helper.stdout.readline()):
                        if not line:
                            raise SystemExit("dotnet-trace ended before its session started")
                c0 = cpu(helper.pid) if mode == "traffic" else 0
                a0 = cpu(app.pid)
                t0 = time.monotonic()
                value = wrk(port, a.seconds, a.connections)
                elapsed = time.monotonic() - t0
                target_us[mode].append((cpu(app.pid) - a0) / (value * elapsed) * 1e6)
                if mode == "traffic":
                    share = (cpu(helper.pid) - c0) / elapsed
                    agent_share.append(share)
                    agent_cpu.append(share / (value / 1000))
                rps[mode].append(value)
                if helper:
                    helper.send_signal(signal.SIGINT if mode == "events" else signal.SIGTERM)  # dotnet-trace stops on Ctrl+C
                    helper.wait(60)
                if trace and os.path.exists(trace):
                    os.unlink(trace)
                print(f"round {r + 1} {mode:8} {value:9.0f} req/s {target_us[mode][-1]:6.1f} us CPU/request", flush=True)
    finally:
        app.kill()
    base = statistics.median(rps["none"])
    print(f"\nwrk -t1 -c{a.connections} -d{a.seconds}s GET /ok, {a.rounds} rounds, interval {a.interval} "
          f"(`bench/traffic_cost.py --agent {a.agent} --rounds {a.rounds} --seconds {a.seconds}`):\n")
    cpu_base = statistics.median(target_us["none"])
    print("| mode | requests/s (median) | each round | vs none | target CPU per request (median) | each round | vs none |")
    print("|---|---|---|---|---|---|---|")
    for m in modes:
        med = statistics.median(rps[m])
        us = statistics.median(target_us[m])
        print(f"| {m} | {med:.0f} | {', '.join(f'{v:.0f}' for v in rps[m])} | {(med / base - 1) * 100:+.1f} % "
              f"| {us:.1f} µs | {', '.join(f'{v:.1f}' for v in target_us[m])} | {(us / cpu_base - 1) * 100:+.1f} % |")
    print(f"\nagent CPU with traffic on: {statistics.median(agent_share) * 100:.2f} % of a core at {statistics.median(rps['traffic']):.0f} requests/s, "
          f"{statistics.median(agent_cpu) * 100:.3f} % of a core per 1 000 requests/s "
          f"(each round: {', '.join(f'{v * 100:.3f}' for v in agent_cpu)})")


if __name__ == "__main__":
    main()
