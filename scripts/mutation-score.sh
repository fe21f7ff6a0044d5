#!/usr/bin/env bash
# Mutation score of the unit tests over the pure-logic files named in stryker-config.json
# (Procfs/, Probes/FailureClassifier.cs, Readiness/). Not part of ./test.sh: it rebuilds and
# reruns tests/Agent.Tests once per group of mutants (about 10 minutes on 2 cores).
# Usage: scripts/mutation-score.sh [extra dotnet-stryker arguments]
# Prints the per-file table; the HTML/JSON reports land in tests/Agent.Tests/StrykerOutput/<date>/reports/.
set -euo pipefail
cd "$(dirname "$0")/.."
# dotnet-stryker: $STRYKER_TOOL_PATH/dotnet-stryker, else one on PATH, else 5.1.0 installed from NuGet
# into a cache directory on first use.
if [[ -n ${STRYKER_TOOL_PATH:-} ]]; then
  stryker=$STRYKER_TOOL_PATH/dotnet-stryker
elif command -v dotnet-stryker >/dev/null; then
  stryker=$(command -v dotnet-stryker)
else
  tools=$HOME/.cache/sidecar-agent/stryker-5.1.0
  [[ -x $tools/dotnet-stryker ]] || dotnet tool install --tool-path "$tools" dotnet-stryker --version 5.1.0 >/dev/null
  stryker=$tools/dotnet-stryker
fi
# Run from the test project (the repository root holds a solution, which Stryker treats differently).
cd tests/Agent.Tests
"$stryker" --config-file ../../stryker-config.json "$@"
report=$(ls -t StrykerOutput/*/reports/mutation-report.json | head -1)
python3 - "$report" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
rows, total = [], {"killed": 0, "timeout": 0, "survived": 0, "nocoverage": 0}
for path, f in sorted(report["files"].items()):
    c = {k: 0 for k in total}
    for m in f["mutants"]:
        s = m["status"].lower()
        if s in c:
            c[s] += 1
    for k in total:
        total[k] += c[k]
    tested = sum(c.values())
    if tested:
        rows.append((path.split("src/Agent/")[-1], c, 100 * (c["killed"] + c["timeout"]) / tested))
print("| file | killed | timeout | survived | no coverage | score |")
print("|---|---|---|---|---|---|")
for name, c, score in rows:
    print(f"| `{name}` | {c['killed']} | {c['timeout']} | {c['survived']} | {c['nocoverage']} | {score:.1f} % |")
tested = sum(total.values())
print(f"| **all** | {total['killed']} | {total['timeout']} | {total['survived']} | {total['nocoverage']} | **{100 * (total['killed'] + total['timeout']) / tested:.1f} %** |")
PY
