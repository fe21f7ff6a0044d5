#!/usr/bin/python3
"""The cost of watching several targets (issue 13), side by side with Debian's
prometheus-process-exporter configured with the same groups, both running at the same time.

Usage:  bench/targets_compare.py --agent PATH [--duration 30] [--period 0.2]

Scenarios: 1, 5 and 20 named targets (copies of /bin/sleep named tgt-01.. so each has its own
comm: agent Targets:<name>:ProcessName, exporter `comm: [<name>]`), and one target summing a
500-process tree (a shell and 499 sleepers; agent IncludeChildren, exporter -children) on a host
brought to ~2 000 processes by more sleepers. Both produce fresh figures every PERIOD: the agent
samples at Sampling:Interval=PERIOD and is scraped every PERIOD, the exporter (which reads /proc on
each scrape) is scraped every PERIOD. CPU is utime+stime from /proc/<pid>/stat: first DURATION/2 of ticks alone
(nobody scrapes), then DURATION of ticks and scrapes, divided by the periods (the exporter's by its
scrapes); RSS is VmRSS at the end. Before measuring, both must report
every target (and the tree's 500 processes), so they do the same work. Prints a markdown table.
Needs: prometheus-process-exporter, python3-psutil (Debian).
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from benchlib import free_port, cpu as cpu_seconds

started = []


def get(url, timeout=5.0):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def value(text, name, **labels):
    for line in text.splitlines():
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)', line)
        if not m or m.group(1) != name:
            continue
        got = dict(re.findall(r'(\w+)="((?:\\.|[^"\\])*)"', m.group(3) or ""))
        if all(got.get(k) == v for k, v in labels.items()):
            return float(m.group(4))
    return None


def spawn(args, **kw):
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    started.append(p)
    return p


def sleepers(count):
    """A shell in its own session with COUNT sleeping children: a tree of COUNT + 1."""
    return spawn(["setsid", "/bin/sh", "-c", f"i=0; while [ $i -lt {count} ]; do sleep 3600 & i=$((i+1)); done; wait"])


def children(pid):
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return len(f.read().split())


def host_processes():
    return sum(1 for d in os.listdir("/proc") if d.isdigit())


def poll(what, check, deadline=120.0):
    t0 = time.monotonic()
    while time.monotonic() - t0 < deadline:
        try:
            if check():
                return
        except Exception:
            pass
        time.sleep(0.2)
    raise RuntimeError("not within %.0f s: %s" % (deadline, what))


def stop_all():
    for p in reversed(started):
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL) if os.getpgid(p.pid) == p.pid else p.kill()
            except ProcessLookupError:
                pass
            p.wait()
    started.clear()


def measure(agent_bin, targets, tree, duration, period, dotnet):
    """targets: {name: comm}; tree: comm of the tree's root or None. Returns both exporters' figures."""
    work = tempfile.mkdtemp(prefix="targets-compare-")
    try:
        agent_env = dict(os.environ)
        config = ["process_names:"]
        for name, comm in targets.items():
            agent_env[f"Targets__{name}__ProcessName"] = comm
            config += [f"  - name: {name}", f"    comm: [{comm}]"]
            if tree == comm:
                agent_env[f"Targets__{name}__IncludeChildren"] = "true"
        open(os.path.join(work, "groups.yml"), "w").write("\n".join(config) + "\n")
        agent_port, exporter_port = free_port(), free_port()
        agent_env.update({"Sampling__Interval": "00:00:%06.3f" % period, "DOTNET_gcServer": "0", "DOTNET_GCGen0MaxBudget": "100000",
                          "Runtime__Dotnet__Enabled": "true" if dotnet else "false"})
        agent = spawn([agent_bin, f"--urls=http://127.0.0.1:{agent_port}"], env=agent_env, cwd=work)
        exporter = spawn(["prometheus-process-exporter", "-config.path", os.path.join(work, "groups.yml"),
                          "-web.listen-address", f"127.0.0.1:{exporter_port}", "-threads=false", "-gather-smaps=false"], cwd=work)
        a_url, e_url = f"http://127.0.0.1:{agent_port}/metrics", f"http://127.0.0.1:{exporter_port}/metrics"
        expected = {name: (500 if tree == comm else 1) for name, comm in targets.items()}
        poll("the agent reports every target", lambda: all(value(get(a_url), "target_processes", target=n) == c for n, c in expected.items()))
        poll("the exporter reports every group", lambda: all(value(get(e_url), "namedprocess_namegroup_num_procs", groupname=n) == c for n, c in expected.items()))

        stop = threading.Event()
        scrapes = {a_url: 0, e_url: 0}

        def scraper(url):
            nxt = time.monotonic()
            while not stop.is_set():
                get(url, 10.0)
                scrapes[url] += 1
                nxt += period
                stop.wait(max(0.0, nxt - time.monotonic()))

        # Ticks alone first (nobody scrapes): the agent's sampling cost by process accounting, which
        # a busy machine inflates far less than wall-clock timings.
        q0, tq = cpu_seconds(agent.pid), time.monotonic()
        time.sleep(duration / 2)
        tick_ms = (cpu_seconds(agent.pid) - q0) * 1000 / ((time.monotonic() - tq) / period)
        threads = [threading.Thread(target=scraper, args=(u,)) for u in (a_url, e_url)]
        c0 = {p.pid: cpu_seconds(p.pid) for p in (agent, exporter)}
        l0 = os.getloadavg()[0]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        time.sleep(duration)
        stop.set()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - t0
        periods = elapsed / period
        out = {
            "tick_ms": tick_ms,
            "agent_cpu_ms": (cpu_seconds(agent.pid) - c0[agent.pid]) * 1000 / periods,
            # The exporter reads /proc on each scrape: its unit is the scrape it managed (under load it
            # may manage fewer than one per period).
            "exporter_cpu_ms": (cpu_seconds(exporter.pid) - c0[exporter.pid]) * 1000 / max(1, scrapes[e_url]),
            "agent_rss": rss_mib(agent.pid),
            "exporter_rss": rss_mib(exporter.pid),
            "scrapes": (scrapes[a_url], scrapes[e_url]),
            "load": (l0, os.getloadavg()[0]),
            "host": host_processes(),
        }
        # Still the same work at the end: every target present in both.
        a, e = get(a_url), get(e_url)
        for n, c in expected.items():
            if value(a, "target_processes", target=n) != c or value(e, "namedprocess_namegroup_num_procs", groupname=n) != c:
                raise RuntimeError(f"{n}: agent {value(a, 'target_processes', target=n)}, exporter {value(e, 'namedprocess_namegroup_num_procs', groupname=n)}, expected {c}")
        agent.terminate()
        exporter.terminate()
        agent.wait(10)
        exporter.wait(10)
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--agent", required=True, help="the published agent binary (scripts/publish-native.sh OUT)")
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--period", type=float, default=0.2)
    ap.add_argument("--dotnet", action="store_true", help="leave Runtime:Dotnet:Enabled on (default off: process metrics only, as the exporter)")
    ap.add_argument("--counts", default="1,5,20", help="comma-separated numbers of named targets to measure (at most 20)")
    ap.add_argument("--no-tree", action="store_true", help="skip the 500-process tree scenario")
    args = ap.parse_args()
    bins = tempfile.mkdtemp(prefix="targets-bin-")
    rows = []
    try:
        for i in range(1, 21):
            shutil.copy("/bin/sleep", os.path.join(bins, f"tgt-{i:02d}"))
        procs = [spawn([os.path.join(bins, f"tgt-{i:02d}"), "3600"]) for i in range(1, 21)]
        for n in (int(c) for c in args.counts.split(",")):
            targets = {f"t{i:02d}": f"tgt-{i:02d}" for i in range(1, n + 1)}
            rows.append((f"{n} named target{'s' if n > 1 else ''}", measure(args.agent, targets, None, args.duration, args.period, args.dotnet)))
            print(rows[-1], file=sys.stderr)
        for p in procs:
            p.kill()
            p.wait()
        if args.no_tree:
            return print_rows(args, rows)
        # The tree: the root's comm is "sh"; a copy named tree-root keeps it apart from other shells.
        shutil.copy("/bin/sh", os.path.join(bins, "tree-root"))
        tree = spawn(["setsid", os.path.join(bins, "tree-root"), "-c", "i=0; while [ $i -lt 499 ]; do sleep 3600 & i=$((i+1)); done; wait"])
        poll("the tree's 499 children", lambda: children(tree.pid) == 499)
        others = 2000 - host_processes()
        if others > 1:
            filler = sleepers(others - 1)
            poll("the filler's children", lambda: children(filler.pid) == others - 1)
        rows.append(("500-process tree (IncludeChildren), host of %d processes" % host_processes(),
                     measure(args.agent, {"tree": "tree-root"}, "tree-root", args.duration, args.period, args.dotnet)))
        print(rows[-1], file=sys.stderr)
    finally:
        stop_all()
        shutil.rmtree(bins, ignore_errors=True)
    print_rows(args, rows)


def print_rows(args, rows):
    print(f"Period {args.period * 1000:.0f} ms (agent Sampling:Interval and both scraped every period), {args.duration:.0f} s per row, "
          f"both running at once; Runtime:Dotnet:Enabled={'true' if args.dotnet else 'false'}; CPU = utime+stime per period (agent: one tick and one scrape) "
          "or per scrape (exporter); command: "
          f"`bench/targets_compare.py --agent out/agent --duration {args.duration:.0f} --period {args.period}{' --dotnet' if args.dotnet else ''}"
          f"{'' if args.counts == '1,5,20' else ' --counts ' + args.counts}{' --no-tree' if args.no_tree else ''}`.\n")
    print("| scenario | agent CPU / tick, no scrapes | agent CPU / (tick + scrape) | process-exporter CPU / scrape | agent ÷ exporter | scrapes agent / exporter | agent RSS | exporter RSS | load average (start → end) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, r in rows:
        print(f"| {name} | {r['tick_ms']:.2f} ms | {r['agent_cpu_ms']:.2f} ms | {r['exporter_cpu_ms']:.2f} ms | {r['agent_cpu_ms'] / r['exporter_cpu_ms']:.2f}× | "
              f"{r['scrapes'][0]} / {r['scrapes'][1]} | {r['agent_rss']:.1f} MiB | {r['exporter_rss']:.1f} MiB | {r['load'][0]:.1f} → {r['load'][1]:.1f} |")


if __name__ == "__main__":
    main()
