#!/usr/bin/env bash
# The one Native AOT publish command: the Dockerfile's build stage runs exactly this, and the
# integration suite runs it too (the Dockerfile itself cannot be built on machines without a
# container engine). Usage: scripts/publish-native.sh OUTPUT_DIR [RID [MSBUILD_ARGS...]]
# (extra arguments such as -p:IlcGenerateMstatFile=true change what is written beside the binary,
# not the binary: bench/footprint.py uses that for its per-assembly table).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: publish-native.sh OUTPUT_DIR [RID]}
rid=${2:-linux-x64}
dotnet publish src/Agent/Agent.csproj -c Release -r "$rid" -p:PublishAot=true -o "$out" "${@:3}"
