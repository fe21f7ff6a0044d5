#!/usr/bin/python3
"""Side-by-side comparison of the agent (Native AOT build) with Debian's
prometheus-process-exporter (process metrics) and prometheus-blackbox-exporter (probes), in one
run, on loopback only, bounded in time, stopping everything it started.

Usage:  bench/compare.py [--duration 10] [--cadence 20] [--agent PATH] [--out docs/benchmarks.md]

Writes a markdown section (between the compare markers) into the output file and prints it.
Needs: wrk, redis-server, prometheus-process-exporter, prometheus-blackbox-exporter,
python3-psutil (Debian) and the .NET SDK (to publish the agent unless --agent is given).
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import psutil
from benchlib import free_port, cpu as cpu_seconds

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
started = []


def dockerfile_env():
    text = open(os.path.join(ROOT, "Dockerfile")).read().replace("\\\n", " ")
    env = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            for pair in line[4:].split():
                k, _, v = pair.partition("=")
                if k != "ASPNETCORE_URLS":
                    env[k] = v
    return env


# Servers under test share core 0; load generators get core 1 (a fair split on 2 cores).
SERVER_CPU, LOAD_CPU = "0", "1"


def start(args, **kw):
    args = ["taskset", "-c", SERVER_CPU] + list(args)
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    started.append(p)
    return p


def stop_all():
    for p in reversed(started):
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()


def get(url, timeout=5.0):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode()


def wait_http(url, deadline=30.0):
    t0 = time.monotonic()
    while time.monotonic() - t0 < deadline:
        try:
            if get(url, 1.0)[0] == 200:
                return time.monotonic() - t0
        except Exception:
            pass
        time.sleep(0.002)
    raise RuntimeError("no 200 from " + url)


def rss_bytes(pid):
    return psutil.Process(pid).memory_info().rss


def anon_bytes(pid):
    """Private anonymous memory (heap, stacks): what the process itself costs beyond its mapped binary."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024
    return 0


def series(text, name, **labels):
    total = None
    for line in text.splitlines():
        if not line.startswith(name) or line.startswith("#"):
            continue
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)', line)
        if not m or m.group(1) != name:
            continue
        got = dict(re.findall(r'(\w+)="((?:\\.|[^"\\])*)"', m.group(3) or ""))
        if all(got.get(k) == v for k, v in labels.items()):
            total = (total or 0.0) + float(m.group(4))
    return total


def wrk(url, connections, duration):
    out = subprocess.run(["taskset", "-c", LOAD_CPU, "wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url],
                         capture_output=True, text=True, timeout=duration + 30).stdout
    def to_ms(v):
        m = re.match(r"([\d.]+)(us|ms|s|m)$", v)
        if not m:
            raise RuntimeError(f"cannot read wrk latency {v!r} in:\n{out}")
        n, unit = m.groups()
        return float(n) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]
    p50 = to_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = to_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": p50, "p99": p99, "non2xx": int(errors.group(1)) if errors else 0}


def under_load(pid, url, connections, duration):
    c0 = cpu_seconds(pid)
    r = wrk(url, connections, duration)
    r["cpu"] = cpu_seconds(pid) - c0
    r["rss"] = rss_bytes(pid)
    return r


def cadence(pids_urls, seconds):
    """Two scrapes a second of each exporter, like a Prometheus pair with 1 s sampling."""
    c0 = {pid: cpu_seconds(pid) for pid, _ in pids_urls}
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        tick = time.monotonic()
        for _, url in pids_urls:
            get(url)
        time.sleep(max(0.0, 0.5 - (time.monotonic() - tick)))
    return {pid: (cpu_seconds(pid) - c0[pid], rss_bytes(pid), anon_bytes(pid)) for pid, _ in pids_urls}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=int, default=10, help="seconds of wrk load per measurement")
    ap.add_argument("--cadence", type=int, default=20, help="seconds of the realistic-cadence run")
    ap.add_argument("--agent", help="a published native agent binary (default: publish one)")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "benchmarks.md"))
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="compare-")
    try:
        agent_bin = a.agent
        if not agent_bin:
            subprocess.run([os.path.join(ROOT, "scripts", "publish-native.sh"), os.path.join(work, "agent")],
                           check=True, stdout=subprocess.DEVNULL)
            agent_bin = os.path.join(work, "agent", "agent")

        # The target: 64 MiB resident, 4 idle threads, 2 s of CPU burnt, then idle (stable values).
        target = subprocess.Popen(["/usr/bin/python3", os.path.join(ROOT, "tests", "fixtures", "targets", "burner.py"), "64", "4", "2"],
                                  stdout=subprocess.PIPE, text=True)
        started.append(target)
        assert target.stdout.readline().strip() == "ready"

        redis_port = free_port()
        start(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        hole = socket.socket()
        hole.bind(("127.0.0.1", 0))
        hole.listen(1024)  # accepts (kernel backlog) and never answers
        hole_port = hole.getsockname()[1]
        time.sleep(0.3)

        # The agent runs with the environment the Dockerfile ships (ENV lines), pinned like its peers.
        env = dict(os.environ, **dockerfile_env())
        agent_port, sick_port = free_port(), free_port()
        common = ["--Target:Pid=%d" % target.pid, "--Sampling:Interval=00:00:01",
                  "--Probes:redis:Kind=tcp", "--Probes:redis:Host=127.0.0.1", f"--Probes:redis:Port={redis_port}",
                  "--Probes:redis:Send=PING\\r\\n", "--Probes:redis:Expect=+PONG", "--Probes:redis:Period=00:00:01"]
        t0 = time.monotonic()
        agent = start([agent_bin, "--urls", f"http://127.0.0.1:{agent_port}"] + common, env=env)
        agent_start = wait_http(f"http://127.0.0.1:{agent_port}/health")
        sick = start([agent_bin, "--urls", f"http://127.0.0.1:{sick_port}", "--Target:Pid=%d" % target.pid,
                      "--Probes:hang:Kind=tcp", "--Probes:hang:Host=127.0.0.1", f"--Probes:hang:Port={hole_port}",
                      "--Probes:hang:Expect=+PONG", "--Probes:hang:Timeout=00:00:00.500", "--Probes:hang:Period=00:00:01"], env=env)
        wait_http(f"http://127.0.0.1:{sick_port}/health")

        pe_port = free_port()
        pe_cfg = os.path.join(work, "process-exporter.yml")
        with open(pe_cfg, "w") as f:
            f.write("process_names:\n  - name: target\n    cmdline: ['burner\\.py']\n")
        t0 = time.monotonic()
        pe = start(["prometheus-process-exporter", "-config.path", pe_cfg, "-web.listen-address", f"127.0.0.1:{pe_port}",
                    "-threads=false", "-gather-smaps=false"])
        pe_start = wait_http(f"http://127.0.0.1:{pe_port}/metrics")

        bb_port = free_port()
        bb_cfg = os.path.join(work, "blackbox.yml")
        with open(bb_cfg, "w") as f:
            f.write("modules:\n  redis:\n    prober: tcp\n    timeout: 500ms\n    tcp:\n      query_response:\n"
                    "        - send: \"PING\"\n        - expect: \"^\\\\+PONG\"\n")
        bb = start(["prometheus-blackbox-exporter", f"--config.file={bb_cfg}", f"--web.listen-address=127.0.0.1:{bb_port}"])
        bb_start = wait_http(f"http://127.0.0.1:{bb_port}/metrics")
        bb_ok = f"http://127.0.0.1:{bb_port}/probe?module=redis&target=127.0.0.1:{redis_port}"
        bb_hang = f"http://127.0.0.1:{bb_port}/probe?module=redis&target=127.0.0.1:{hole_port}"

        agent_metrics = f"http://127.0.0.1:{agent_port}/metrics"
        pe_metrics = f"http://127.0.0.1:{pe_port}/metrics"
        time.sleep(3)  # let both take their first samples

        # Accuracy: the target is idle, so one moment serves all three readers.
        ours = get(agent_metrics)[1]
        theirs = get(pe_metrics)[1]
        p = psutil.Process(target.pid)
        ct = p.cpu_times()
        accuracy = {
            "agent_cpu": series(ours, "target_process_cpu_seconds_total"),
            "pe_cpu": series(theirs, "namedprocess_namegroup_cpu_seconds_total", groupname="target"),
            "psutil_cpu": ct.user + ct.system,
            "agent_rss": series(ours, "target_process_resident_memory_bytes"),
            "pe_rss": series(theirs, "namedprocess_namegroup_memory_bytes", groupname="target", memtype="resident"),
            "psutil_rss": p.memory_info().rss,
        }

        steady = cadence([(agent.pid, agent_metrics), (pe.pid, pe_metrics)], a.cadence)
        loads = {}
        for c in (8, 64):
            loads[("agent", c)] = under_load(agent.pid, agent_metrics, c, a.duration)
            loads[("process-exporter", c)] = under_load(pe.pid, pe_metrics, c, a.duration)
        ready_ok = under_load(agent.pid, f"http://127.0.0.1:{agent_port}/ready", 64, a.duration)
        ready_hang = under_load(sick.pid, f"http://127.0.0.1:{sick_port}/ready", 64, a.duration)
        bb_ok_load = under_load(bb.pid, bb_ok, 8, a.duration)
        t = time.monotonic()
        get(bb_hang, 5)
        bb_hang_latency = (time.monotonic() - t) * 1000

        write(a, locals())
    finally:
        stop_all()
        shutil.rmtree(work, ignore_errors=True)


def ratio(x, y):
    return f"{x / y:.2f}×" if y else "n/a"


def write(a, v):
    loads, steady, acc = v["loads"], v["steady"], v["accuracy"]
    agent_pid, pe_pid = v["agent"].pid, v["pe"].pid
    mb = lambda b: f"{b / 1048576:.1f} MiB"
    lines = [
        "<!-- compare:begin -->",
        f"### Side by side (bench/compare.py, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC)",
        "",
        f"Machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB, {platform.platform()}. "
        f"Agent: Native AOT build with the Dockerfile's environment ({' '.join(f'{k}={v}' for k, v in dockerfile_env().items())}). Servers pinned to core {SERVER_CPU}, wrk to core {LOAD_CPU}. Peers: Debian's prometheus-process-exporter (`-threads=false -gather-smaps=false`) and "
        f"prometheus-blackbox-exporter. Target: a Python process holding 64 MiB. Command: `bench/compare.py --duration {a.duration} --cadence {a.cadence}`.",
        "",
        f"**Realistic cadence** (sampling every 1 s, 2 scrapes/s each, {a.cadence} s):",
        "",
        "| | agent | process-exporter | agent ÷ process-exporter |",
        "|---|---|---|---|",
        f"| CPU seconds used | {steady[agent_pid][0]:.2f} | {steady[pe_pid][0]:.2f} | {ratio(steady[agent_pid][0], steady[pe_pid][0])} |",
        f"| RSS at the end | {mb(steady[agent_pid][1])} | {mb(steady[pe_pid][1])} | {ratio(steady[agent_pid][1], steady[pe_pid][1])} |",
        f"| of which anonymous (heap, stacks; the rest is the mapped binary) | {mb(steady[agent_pid][2])} | {mb(steady[pe_pid][2])} | {ratio(steady[agent_pid][2], steady[pe_pid][2])} |",
        f"| start → first 200 | {v['agent_start'] * 1000:.0f} ms (`/health`) | {v['pe_start'] * 1000:.0f} ms (`/metrics`) | {ratio(v['agent_start'], v['pe_start'])} |",
        "",
        f"**`/metrics` under wrk** (2 threads, {a.duration} s):",
        "",
        "| connections | exporter | req/s | p50 | p99 | CPU s | RSS after | throughput ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for c in (8, 64):
        ag, pe = loads[("agent", c)], loads[("process-exporter", c)]
        for name, r in (("agent", ag), ("process-exporter", pe)):
            lines.append(f"| {c} | {name} | {r['rps']:.0f} | {r['p50']:.2f} ms | {r['p99']:.2f} ms | {r['cpu']:.2f} | {mb(r['rss'])} | "
                         + (ratio(ag["rps"], pe["rps"]) if name == "agent" else "") + " |")
    ro, rh, bo = v["ready_ok"], v["ready_hang"], v["bb_ok_load"]
    lines += [
        "",
        "**Readiness** (wrk, 64 connections for the agent; the blackbox exporter probes per request):",
        "",
        "| case | req/s | p50 | p99 | non-2xx |",
        "|---|---|---|---|---|",
        f"| agent `/ready`, Redis healthy | {ro['rps']:.0f} | {ro['p50']:.2f} ms | {ro['p99']:.2f} ms | {ro['non2xx']} |",
        f"| agent `/ready`, dependency hanging (500 ms timeout) | {rh['rps']:.0f} | {rh['p50']:.2f} ms | {rh['p99']:.2f} ms | {rh['non2xx']} (503 expected) |",
        f"| blackbox `/probe` Redis healthy (8 connections) | {bo['rps']:.0f} | {bo['p50']:.2f} ms | {bo['p99']:.2f} ms | {bo['non2xx']} |",
        f"| blackbox `/probe`, dependency hanging (one request) | – | {v['bb_hang_latency']:.0f} ms | – | – |",
        "",
        "**Accuracy** (the target idle, read at the same moment):",
        "",
        "| | agent | process-exporter | psutil | agent − psutil |",
        "|---|---|---|---|---|",
        f"| CPU seconds | {acc['agent_cpu']:.2f} | {acc['pe_cpu']:.2f} | {acc['psutil_cpu']:.2f} | {acc['agent_cpu'] - acc['psutil_cpu']:+.3f} s |",
        f"| RSS | {acc['agent_rss']:.0f} | {acc['pe_rss']:.0f} | {acc['psutil_rss']:.0f} | {100 * (acc['agent_rss'] - acc['psutil_rss']) / acc['psutil_rss']:+.2f} % |",
        "<!-- compare:end -->",
    ]
    section = "\n".join(lines)
    print(section)
    text = open(a.out).read() if os.path.exists(a.out) else ""
    if "<!-- compare:begin -->" in text:
        text = re.sub(r"<!-- compare:begin -->.*?<!-- compare:end -->", lambda _: section, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    with open(a.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    main()
