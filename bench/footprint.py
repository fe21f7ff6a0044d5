#!/usr/bin/python3
"""What every pod pays for the agent: binary size, resident memory split by where it goes, and
threads, 30 s after start, measured beside Debian's prometheus-process-exporter in the same run.

Usage:
  bench/footprint.py                                # publish (with the .mstat) and measure
  bench/footprint.py --agent out/agent              # an already published binary
  bench/footprint.py --agent before=A --agent after=B --rounds 3   # alternate several builds
  bench/footprint.py --out docs/benchmarks.md       # also rewrite the footprint section there
  bench/footprint.py --agent a=B --agent b=B --env b:MALLOC_ARENA_MAX=2   # one binary, two environments

Each agent runs as the Dockerfile's image would (its ENV lines), with no configuration: it
watches itself. process-exporter watches the agent. Nothing is scraped before the reading; the
agent's /health is asked once to know it is up, process-exporter's /metrics once for the same
reason. Builds are started in turn within each round (A, B, A, B, ...), so a busy machine weighs
on both alike. Needs: prometheus-process-exporter (Debian), root (to read the agent's
/proc/<pid>/task/*/syscall for its thread stacks; without it stacks are found by shape).
"""
import argparse
import collections
import datetime
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import ROOT, dockerfile_env, free_port, get, wait_http  # noqa: E402
from benchlib import status

GIB = 1 << 30


def mappings(pid):
    """smaps as a list of dicts: start, end, perm, path, rss, anon (kB)."""
    rows, cur = [], None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$", line)
            if m:
                cur = {"start": int(m.group(1), 16), "end": int(m.group(2), 16), "perm": m.group(3),
                       "path": m.group(4), "rss": 0, "anon": 0}
                rows.append(cur)
                continue
            k, _, v = line.partition(":")
            if k == "Rss":
                cur["rss"] = int(v.split()[0])
            elif k == "Anonymous":
                cur["anon"] = int(v.split()[0])
    return rows


def thread_stack_pointers(pid):
    sps = []
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/syscall") as f:
                parts = f.read().split()
            if len(parts) >= 3:
                sps.append(int(parts[-2], 16))  # "nr args... sp pc"
        except (OSError, ValueError):
            pass
    return sps


def hydrated_range(binary, rows):
    """Address range of the binary's .hydrated section (Native AOT's type structures, rebuilt at start)."""
    with open(binary, "rb") as f:
        data = f.read()
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    names_off = sections[shstrndx][4]
    base = min(r["start"] for r in rows if r["path"] == os.path.realpath(binary))
    for s in sections:
        name = data[names_off + s[0]:data.index(b"\0", names_off + s[0])].decode()
        if name == ".hydrated":
            return base + s[3], base + s[3] + s[5]
    return None


def anonymous_split(pid, binary):
    """Anonymous resident kB by where it lives. The GC heap is the run of adjacent anonymous
    mappings around the GC's reservation (a mapping of over 1 GiB); glibc's malloc arenas are
    64 MiB-aligned reservations; thread stacks are the mappings that hold a thread's stack pointer."""
    rows = mappings(pid)
    real = os.path.realpath(binary)
    split = collections.Counter()
    hydrated = hydrated_range(binary, rows)
    sps = thread_stack_pointers(pid)
    anon = [r for r in rows if not r["path"] or r["path"].startswith("[")]
    # Runs of adjacent anonymous mappings.
    runs, run = [], []
    for r in anon:
        if run and run[-1]["end"] != r["start"]:
            runs.append(run)
            run = []
        run.append(r)
    if run:
        runs.append(run)
    gc_runs = [id(x) for run in runs if any(r["end"] - r["start"] > GIB for r in run) for x in run]
    for r in rows:
        if not r["anon"]:
            continue
        if r["path"] == real:
            split["binary's relocated data (.data, .got)"] += r["anon"]
        elif r["path"] and not r["path"].startswith("["):
            split["shared libraries' relocated data"] += r["anon"]
        elif hydrated and r["start"] < hydrated[1] and r["end"] > hydrated[0]:
            split["type structures (.hydrated) and statics (.bss)"] += r["anon"]
        elif id(r) in gc_runs:
            split["GC heap"] += r["anon"]
        elif r["path"] == "[heap]" or r["start"] % (64 << 20) == 0 and r["end"] - r["start"] <= (64 << 20):
            split["malloc (glibc arenas)"] += r["anon"]
        elif r["path"] == "[stack]" or any(r["start"] <= sp < r["end"] for sp in sps):
            split["thread stacks"] += r["anon"]
        else:
            split["other anonymous mappings"] += r["anon"]
    return split


def threads(pid):
    names = collections.Counter()
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                names[f.read().strip()] += 1
        except OSError:
            pass
    return names


def start(args, env=None):
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True)


def stop(p):
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def measure(binary, idle, work, extra_env):
    env = dict(os.environ, **dockerfile_env(), **extra_env)
    port, pe_port = free_port(), free_port()
    agent = start([binary, "--urls", f"http://127.0.0.1:{port}"], env=env)
    cfg = os.path.join(work, "process-exporter.yml")
    with open(cfg, "w") as f:
        f.write(f"process_names:\n  - name: agent\n    cmdline: ['127\\.0\\.0\\.1:{port}']\n")
    pe = start(["prometheus-process-exporter", "-config.path", cfg, "-web.listen-address", f"127.0.0.1:{pe_port}",
                "-threads=false", "-gather-smaps=false"])
    try:
        t0 = time.monotonic()
        wait_http(f"http://127.0.0.1:{port}/health")
        wait_http(f"http://127.0.0.1:{pe_port}/metrics")
        time.sleep(max(0.0, idle - (time.monotonic() - t0)))
        result = {
            "agent": status(agent.pid), "exporter": status(pe.pid),
            "split": anonymous_split(agent.pid, binary), "threads": threads(agent.pid),
            "exporter_threads": threads(pe.pid),
        }
        # After the reading: the GC's own view, to check the split's GC heap against.
        text = get(f"http://127.0.0.1:{port}/metrics")[1]
        m = re.search(r"^dotnet_gc_last_collection_memory_committed_size_bytes\S* (\S+)", text, re.M)
        result["gc_committed_kb"] = float(m.group(1)) / 1024 if m else None
        return result
    finally:
        stop(agent)
        stop(pe)


def median(values):
    v = sorted(values)
    return v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2


def publish(work):
    out = os.path.join(work, "agent")
    subprocess.run([os.path.join(ROOT, "scripts", "publish-native.sh"), out, "linux-x64", "-p:IlcGenerateMstatFile=true"],
                   check=True, stdout=subprocess.DEVNULL)
    mstat = os.path.join(ROOT, "src", "Agent", "obj", "Release", "net10.0", "linux-x64", "native", "agent.mstat")
    return os.path.join(out, "agent"), mstat


def by_assembly(mstat):
    out = subprocess.run(["dotnet", "run", os.path.join(ROOT, "bench", "mstat", "mstat_by_assembly.cs"), "--", mstat, "20"],
                         check=True, capture_output=True, text=True).stdout
    return out.strip()


def report(a, builds, results, mstat_table):
    kb = lambda v: f"{v:,.0f} kB"
    labels = list(builds)
    lines = [
        "<!-- footprint:begin -->",
        f"### Footprint (bench/footprint.py, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC)",
        "",
        f"Each build started {a.rounds}× in turn with the Dockerfile's environment "
        f"({' '.join(f'{k}={v}' for k, v in dockerfile_env().items())}; `--env` adds to it for one build), no configuration (it watches itself), "
        f"read {a.idle} s after start with no scrape; Debian's prometheus-process-exporter (watching the agent, "
        "`-threads=false -gather-smaps=false`) started beside it each time. Medians of the rounds "
        f"(load average at the end: {os.getloadavg()[0]:.1f}). Command: `bench/footprint.py {' '.join(a.argv)}`.",
        "",
        "| | " + " | ".join(labels) + " | process-exporter |",
        "|---|" + "---:|" * (len(labels) + 1),
    ]
    pe = [r["exporter"] for rs in results.values() for r in rs]
    pe_bin = os.path.getsize(shutil.which("prometheus-process-exporter"))
    lines.append("| binary | " + " | ".join(f"{os.path.getsize(b):,} B ({os.path.getsize(b) / 2**20:.1f} MiB)" for b in builds.values())
                 + f" | {pe_bin:,} B ({pe_bin / 2**20:.1f} MiB) |")
    for key, title in (("VmRSS", "VmRSS"), ("RssAnon", "anonymous (RssAnon)"), ("RssFile", "file-backed (RssFile)"), ("Threads", "threads")):
        fmt = (lambda v: f"{v:.0f}") if key == "Threads" else kb
        lines.append(f"| {title} | " + " | ".join(fmt(median([r['agent'][key] for r in results[l]])) for l in labels)
                     + f" | {fmt(median([p[key] for p in pe]))} |")
    lines += ["", "Anonymous memory of the agent by where it lives (medians, kB; from `/proc/<pid>/smaps`):", "",
              "| | " + " | ".join(labels) + " |", "|---|" + "---:|" * len(labels)]
    keys = sorted({k for rs in results.values() for r in rs for k in r["split"]},
                  key=lambda k: -max(median([r["split"].get(k, 0) for r in results[l]]) for l in labels))
    for k in keys:
        lines.append(f"| {k} | " + " | ".join(kb(median([r['split'].get(k, 0) for r in results[l]])) for l in labels) + " |")
    gc = [median([r["gc_committed_kb"] or 0 for r in results[l]]) for l in labels]
    lines.append("| *GC's own committed bytes, read after (`dotnet_gc_last_collection_memory_committed_size_bytes`; includes untouched pages)* | "
                 + " | ".join(kb(v) for v in gc) + " |")
    lines += ["", "Threads of the agent (last round):", "", "| | " + " | ".join(labels) + " |", "|---|" + "---|" * len(labels)]
    names = sorted({n for rs in results.values() for n in rs[-1]["threads"]})
    for n in names:
        lines.append(f"| `{n}` | " + " | ".join(str(results[l][-1]["threads"].get(n, 0)) for l in labels) + " |")
    if mstat_table:
        lines += ["", "Native binary by assembly (`bench/mstat/mstat_by_assembly.cs` on the publish's `.mstat`):", "", mstat_table]
    lines.append("<!-- footprint:end -->")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--agent", action="append", default=[], help="[LABEL=]PATH of a published binary (repeatable); default: publish")
    ap.add_argument("--mstat", help="an .mstat for the per-assembly table (default: the publish's own)")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--idle", type=float, default=30.0, help="seconds from start to the reading")
    ap.add_argument("--env", action="append", default=[], help="LABEL:NAME=VALUE, an environment variable for one build on top of the Dockerfile's (repeatable)")
    ap.add_argument("--out", help="rewrite the footprint section of this markdown file")
    a = ap.parse_args()
    a.argv = sys.argv[1:]
    work = tempfile.mkdtemp(prefix="footprint-")
    try:
        builds = {}
        mstat = a.mstat
        if not a.agent:
            binary, mstat = publish(work)
            builds["agent"] = binary
        for spec in a.agent:
            label, _, path = spec.rpartition("=")
            builds[label or "agent"] = os.path.abspath(path)
        extra = {label: {} for label in builds}
        for spec in a.env:
            label, _, pair = spec.partition(":")
            name, _, value = pair.partition("=")
            extra[label][name] = value
        results = {label: [] for label in builds}
        for _ in range(a.rounds):
            for label, binary in builds.items():
                results[label].append(measure(binary, a.idle, work, extra[label]))
        section = report(a, builds, results, by_assembly(mstat) if mstat else None)
        print(section)
        if a.out:
            text = open(a.out).read()
            if "<!-- footprint:begin -->" in text:
                text = re.sub(r"<!-- footprint:begin -->.*?<!-- footprint:end -->", lambda _: section, text, flags=re.S)
            else:
                text = text.rstrip() + "\n\n" + section + "\n"
            with open(a.out, "w") as f:
                f.write(text)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    main()
