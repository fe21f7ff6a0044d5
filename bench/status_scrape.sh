#!/usr/bin/env bash
# /metrics throughput of two agent builds side by side (e.g. before and after a change), JIT
# builds, same target, same settings, alternating rounds. Load only on 127.0.0.1.
# usage: bench/status_scrape.sh BEFORE_AGENT_DLL AFTER_AGENT_DLL
#   (build a baseline with: git archive <commit> | tar -x -C /tmp/before && dotnet build /tmp/before/src/Agent -c Release)
set -u
before_dll=${1:?before agent.dll}
after_dll=${2:?after agent.dll}
export DOTNET_gcServer=0 DOTNET_GCGen0MaxBudget=100000
sleep 3600 & target=$!
dotnet "$before_dll" --urls http://127.0.0.1:19501 --Target:Pid=$target --Sampling:Interval=00:00:01 >/dev/null 2>&1 & before=$!
dotnet "$after_dll" --urls http://127.0.0.1:19502 --Target:Pid=$target --Sampling:Interval=00:00:01 >/dev/null 2>&1 & after=$!
sleep 8
for port in 19501 19502; do wrk -t1 -c8 -d3s http://127.0.0.1:$port/metrics >/dev/null; done  # warm-up (JIT)
for round in 1 2 3; do
  for port in 19501 19502; do
    echo "round $round port $port $(wrk -t1 -c8 -d10s --latency http://127.0.0.1:$port/metrics | grep -E 'Requests/sec|99%' | tr -s ' ' | tr '\n' ' ')"
  done
done
echo "page bytes: $(curl -s http://127.0.0.1:19502/ | wc -c)"
kill $before $after $target
