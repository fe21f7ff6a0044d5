#!/bin/sh
# Makes the README's screenshot of the container view (docs/img/container-view.png): a Python
# target in real v1 cgroups with a 256 MiB memory limit and a tenth of a core (and a v2 child of
# /sys/fs/cgroup/unified for its own pressure), whose memory swings in waves below the limit while
# it spins on the CPU (throttled), watched for two minutes by the
# agent built in Release, then photographed by Debian's headless chromium. Needs root on a
# machine with v1 memory and cpu hierarchies (this build machine). Removes what it made.
#   scripts/container-view-screenshot.sh [out.png] [seconds]
set -eu
out=${1:-docs/img/container-view.png}
seconds=${2:-120}
port=19490
name=agent-shot-$$
mem=/sys/fs/cgroup/memory$(awk -F: '$2=="memory"{print $3}' /proc/self/cgroup | sed 's:/$::')/$name
cpu=/sys/fs/cgroup/cpu/$name
v2=/sys/fs/cgroup/unified/$name
pids=""
cleanup() {
  for p in $pids; do kill -9 "$p" 2>/dev/null || true; done
  sleep 0.5
  rmdir "$mem" "$cpu" "$v2" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
mkdir "$mem" "$cpu" "$v2"
echo $((256 * 1024 * 1024)) > "$mem/memory.limit_in_bytes"
echo 10000 > "$cpu/cpu.cfs_quota_us"

sh -c "echo \$\$ > $mem/cgroup.procs && echo \$\$ > $cpu/cgroup.procs && echo \$\$ > $v2/cgroup.procs && exec /usr/bin/python3 -c '
import math, time
held, t0 = [], time.time()
while True:
    want = int(150 + 80 * math.sin((time.time() - t0) / 15))   # MiB, in waves under the 256 MiB limit
    while len(held) < want:
        b = bytearray(1 << 20); b[::4096] = b\"x\" * len(b[::4096]); held.append(b)
    del held[want:]
    end = time.time() + 0.5
    while time.time() < end: pass                                  # spin: a tenth of a core is not enough
'" &
target=$!
pids="$target"
dotnet src/Agent/bin/Release/net10.0/agent.dll --urls "http://127.0.0.1:$port" \
  --Targets:web:Pid="$target" --Sampling:CgroupInterval=00:00:01 >/dev/null 2>&1 &
pids="$pids $!"
sleep "$seconds"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
  --screenshot="$out" --window-size=1100,760 "http://127.0.0.1:$port/" 2>/dev/null
echo "wrote $out"
