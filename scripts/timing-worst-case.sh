#!/usr/bin/env bash
# Runs the integration tests that bound a duration RUNS times (default 20) beside
# `stress-ng --cpu 2` (both cores busy) and prints, per measured duration, the worst case seen and
# its bound, plus how many runs failed. The figures go to docs/reliability.md, "Timing bounds".
#   scripts/timing-worst-case.sh [RUNS]
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
filter="FullyQualifiedName~ReadinessTests.Redis_down|FullyQualifiedName~ReadinessTests.Postgres_down"
filter+="|FullyQualifiedName~ReadinessTests.A_hanging_dependency|FullyQualifiedName~ReadinessTests.The_hard_deadline"
filter+="|FullyQualifiedName~TargetRestartTests.A_new_process_with_the_same_name"
filter+="|FullyQualifiedName~RuntimeCounterTests.A_restarted_dotnet_target|FullyQualifiedName~RuntimeCounterTests.Malformed_and_hanging"
filter+="|FullyQualifiedName~ReliabilityTests.Target_churn|FullyQualifiedName~ReliabilityTests.Dependency_faults"
filter+="|FullyQualifiedName~ReliabilityTests.Sigterm_under_load|FullyQualifiedName~HttpAbuseTests.Slow_and_idle"
filter+="|FullyQualifiedName~SystemdTests.Watchdog_pings_stop"

command -v stress-ng >/dev/null || { echo "stress-ng is missing (apt-get install -y stress-ng)" >&2; exit 2; }
dotnet build tests/Agent.IntegrationTests -c Release -v q -nologo >/dev/null || exit 2
out=$(mktemp -d)
stress-ng --cpu 2 --quiet &
stress=$!
trap 'kill $stress 2>/dev/null; wait $stress 2>/dev/null' EXIT
for ((i = 1; i <= runs; i++)); do
  dotnet test tests/Agent.IntegrationTests -c Release --no-build --filter "$filter" \
    --logger "console;verbosity=detailed" >"$out/run-$i.log" 2>&1
  echo "run $i/$runs: $(grep -E '^ +(Passed|Failed): ' "$out/run-$i.log" | tr -s ' ' | tr '\n' ' ')load $(cut -d' ' -f1 /proc/loadavg)"
  grep '^  Failed Agent' "$out/run-$i.log" | sed 's/^  /  /' 
done
echo
echo "worst case over $runs runs (ms), bound (ms):"
grep -h '^ *timing | ' "$out"/run-*.log | sed 's/^ *//' | awk -F' [|] ' '
  { ms = $3 + 0; if (!($2 in worst) || ms > worst[$2]) worst[$2] = ms; bound[$2] = $4; n[$2]++ }
  END { for (k in worst) printf "%-60s %6d  %s  (%d samples)\n", k, worst[k], bound[k], n[k] }' | sort
echo "logs: $out"
