# syntax=docker/dockerfile:1
# Native AOT sidecar agent. The build stage runs scripts/publish-native.sh, the same command the
# integration suite runs (machines without a container engine check the build that way).
# Expected image size: ~44 MB (runtime-deps chiseled ~13 MB + the ~31 MB native binary, position
# dependent: its type structures are clean pages shared by every pod on a node instead of 8 MB
# rebuilt in each pod's private memory, see docs/benchmarks.md "Footprint"); dotnet-monitor's image
# is ~110 MB.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# Native AOT links with clang (gcc also works) and needs zlib headers.
RUN apt-get update \
 && apt-get install -y --no-install-recommends clang zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Agent/Agent.csproj src/Agent/
RUN dotnet restore src/Agent/Agent.csproj -r linux-x64
COPY src/ src/
COPY scripts/ scripts/
RUN scripts/publish-native.sh /out linux-x64 \
 && rm -f /out/*.dbg /out/*.staticwebassets.endpoints.json /out/*.dll  # TraceEvent copies Windows-only helper DLLs

# runtime-deps chiseled: glibc, libstdc++, CA certificates, tzdata; no shell, no package manager,
# non-root user "app" (uid 1654) by default.
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled AS runtime
WORKDIR /app
COPY --from=build /out/ ./
# The Python diagnostics hook (README "Find a leak"): put /app/python-hook on an app's PYTHONPATH,
# or let the chart's init container copy it (agent python-hook --install DIR prints the same files).
COPY src/python-hook/sidecar_hook.py src/python-hook/sitecustomize.py /app/python-hook/
# GCGen0MaxBudget (hex, 1 MiB): the gen0 budget otherwise follows the L3 cache (tens of MB on
# servers), and a sidecar allocating ~100 KB per scrape would hold that much garbage resident.
# Measured: anonymous RSS 21 -> 14 MiB, CPU unchanged (docs/benchmarks.md). Env-only knob.
ENV ASPNETCORE_URLS=http://+:9464 \
    DOTNET_gcServer=0 \
    DOTNET_GCGen0MaxBudget=100000
EXPOSE 9464
USER app
ENTRYPOINT ["/app/agent"]
