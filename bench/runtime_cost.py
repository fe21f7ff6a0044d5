#!/usr/bin/python3
"""What watching a runtime costs the *target*: CPU seconds the target uses while idle, without
and with the agent attached (.NET: one EventPipe session for the System.Runtime meter; Python:
the agent scraping prometheus_client's endpoint every interval). Loopback only, bounded.

Usage: bench/runtime_cost.py [--seconds 30] [--agent PATH] [--interval 00:00:01]
Needs: the built test target (dotnet build tests/DotnetTarget -c Release), python3-prometheus-client.
"""
import argparse
import os
import subprocess
import time
from benchlib import free_port, cpu

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def measure(pid, seconds):
    c0 = cpu(pid)
    time.sleep(seconds)
    return cpu(pid) - c0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--agent", default=None, help="agent executable (default: dotnet src/Agent/bin/Release/net10.0/agent.dll)")
    ap.add_argument("--interval", default="00:00:01")
    a = ap.parse_args()
    agent_cmd = [a.agent] if a.agent else ["dotnet", os.path.join(ROOT, "src/Agent/bin/Release/net10.0/agent.dll")]
    env = dict(os.environ, DOTNET_gcServer="0", DOTNET_GCGen0MaxBudget="100000")
    rows = []

    dll = os.path.join(ROOT, "tests/DotnetTarget/bin/Release/net10.0/DotnetTarget.dll")
    py = os.path.join(ROOT, "tests/fixtures/targets/prom_target.py")
    port = free_port()
    targets = [
        (".NET (EventPipe, System.Runtime meter)", subprocess.Popen(["dotnet", dll], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True), []),
        ("Python (federation of prometheus_client)", subprocess.Popen(["/usr/bin/python3", py, str(port)], stdout=subprocess.PIPE, text=True),
         [f"--Runtime:MetricsUrl=http://127.0.0.1:{port}/metrics", "--Runtime:Dotnet:Enabled=false"]),
    ]
    try:
        for name, proc, extra in targets:
            assert proc.stdout.readline().startswith("ready")
            time.sleep(2)
            alone = measure(proc.pid, a.seconds)
            agent = subprocess.Popen(agent_cmd + ["--urls", f"http://127.0.0.1:{free_port()}", f"--Target:Pid={proc.pid}",
                                                  f"--Sampling:Interval={a.interval}"] + extra,
                                     env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(3)  # attached and publishing
            watched = measure(proc.pid, a.seconds)
            agent.terminate()
            agent.wait(10)
            added = (watched - alone) / a.seconds * 100
            rows.append(f"| {name} | {alone:.2f} s | {watched:.2f} s | {added:+.2f} % of a core |")
    finally:
        for _, proc, _ in targets:
            proc.kill()
    print(f"Target CPU over {a.seconds} s idle, interval {a.interval} (`bench/runtime_cost.py --seconds {a.seconds}`):\n")
    print("| target | alone | with the agent attached | added |")
    print("|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
