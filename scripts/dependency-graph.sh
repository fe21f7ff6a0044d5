#!/usr/bin/env bash
# Prints the folder -> folder dependencies of src/Agent and the folders that sit in a cycle.
# A file in folder A depends on folder B when it has `using Agent.B` (or a sub-namespace of it) or
# names a type declared in B as `B.Type` / `Agent.B.Type`. Comments and string literals do not
# count. The composition root (files directly in src/Agent) is left out: it may see every folder.
#
# Usage: scripts/dependency-graph.sh [--mermaid] [SOURCE_DIR]
# Last line: "N folders in cycles" (0 when the graph runs one way). Exit code 0 either way; the
# test suite asserts the count.
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 - "$@" <<'PY'
import os, re, sys

args = sys.argv[1:]
mermaid = "--mermaid" in args
args = [a for a in args if a != "--mermaid"]
root = args[0] if args else "src/Agent"

def strip(code):
    # Comments and literals out, so a word in a message or a doc comment is not a dependency.
    code = re.sub(r'/\*.*?\*/', ' ', code, flags=re.S)
    code = re.sub(r'//[^\n]*', ' ', code)
    code = re.sub(r'@"(?:[^"]|"")*"', '""', code)
    code = re.sub(r'"""(?:.|\n)*?"""', '""', code)
    code = re.sub(r'"(?:\\.|[^"\\\n])*"', '""', code)
    code = re.sub(r"'(?:\\.|[^'\\\n])'", "''", code)
    return code

sources = {}
for dirpath, dirnames, filenames in os.walk(root):
    dirnames[:] = [d for d in dirnames if d not in ("bin", "obj")]
    rel = os.path.relpath(dirpath, root)
    if rel == ".":
        continue
    folder = rel.split(os.sep)[0]
    for f in filenames:
        if f.endswith(".cs"):
            with open(os.path.join(dirpath, f), encoding="utf-8") as fh:
                sources.setdefault(folder, []).append(strip(fh.read()))

folders = sorted(sources)
decl = re.compile(r'\b(?:class|record|struct|interface|enum|delegate\s+\S+)\s+([A-Z]\w*)')
types = {f: {m.group(1) for code in sources[f] for m in decl.finditer(code)} for f in folders}

edges = {}
for a in folders:
    for code in sources[a]:
        for m in re.finditer(r'^\s*using\s+(?:static\s+)?Agent\.(\w+)', code, flags=re.M):
            b = m.group(1)
            if b != a and b in sources:
                edges[(a, b)] = edges.get((a, b), 0) + 1
        for b in folders:
            if b == a:
                continue
            for m in re.finditer(r'(?:(?<![\w.])|(?<=\bAgent\.))' + b + r'\.([A-Z]\w*)', code):
                if m.group(1) in types[b]:
                    edges[(a, b)] = edges.get((a, b), 0) + 1

graph = {f: sorted({b for (a, b) in edges if a == f}) for f in folders}

# Tarjan's strongly connected components: every component of more than one folder is a cycle.
index, low, stack, on, comps, counter = {}, {}, [], set(), [], [0]
def visit(v):
    index[v] = low[v] = counter[0]; counter[0] += 1
    stack.append(v); on.add(v)
    for w in graph[v]:
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v:
                break
        comps.append(sorted(comp))
sys.setrecursionlimit(10000)
for f in folders:
    if f not in index:
        visit(f)
cycles = [c for c in comps if len(c) > 1]
in_cycles = sorted({f for c in cycles for f in c})

if mermaid:
    print("graph LR")
    for (a, b) in sorted(edges):
        print(f"  {a} --> {b}")
else:
    for (a, b), n in sorted(edges.items()):
        back = " (two-way)" if (b, a) in edges else ""
        print(f"{a} -> {b} ({n}){back}")
    for c in cycles:
        print("cycle: " + ", ".join(c))
print(f"{len(in_cycles)} folders in cycles")
PY
