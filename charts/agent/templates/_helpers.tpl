{{- define "agent.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "agent.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "agent.labels" -}}
app.kubernetes.io/name: {{ include "agent.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "agent.selectorLabels" -}}
app.kubernetes.io/name: {{ include "agent.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/*
The sidecar container, for this chart and for other charts: include it in a pod spec's
containers (or initContainers with nativeSidecar) as
  {{- include "agent.sidecar" (dict "Values" .Values.agent "Chart" .Chart "AppPort" 8080) | nindent 8 }}
(AppPort: the app's port, used where a target's port is "app"; optional otherwise).
The pod also needs shareProcessNamespace: true and, for .NET targets, a /tmp volume shared with
the app (volume name "shared-tmp").
*/}}
{{- define "agent.sidecar" -}}
{{- $a := .Values -}}
- name: agent
  image: "{{ $a.image.repository }}:{{ $a.image.tag | default .Chart.AppVersion }}"
  imagePullPolicy: {{ $a.image.pullPolicy }}
  {{- if $a.nativeSidecar }}
  restartPolicy: Always
  {{- end }}
  ports:
    - name: agent-http
      containerPort: {{ $a.port }}
      protocol: TCP
  env:
    {{- include "agent.env" (dict "Values" $a "Check" false "AppPort" .AppPort) | nindent 4 }}
  livenessProbe:
    httpGet:
      path: /health
      port: agent-http
    periodSeconds: {{ $a.livenessProbe.periodSeconds }}
    timeoutSeconds: {{ $a.livenessProbe.timeoutSeconds }}
    failureThreshold: {{ $a.livenessProbe.failureThreshold }}
  startupProbe:
    httpGet:
      path: /health
      port: agent-http
    periodSeconds: 1
    failureThreshold: 30
  resources:
    {{- toYaml $a.resources | nindent 4 }}
  securityContext:
    {{- toYaml $a.securityContext | nindent 4 }}
  volumeMounts:
    - name: shared-tmp
      mountPath: /tmp
    {{- if $a.diagnostics.enabled }}
    - name: agent-diagnostics
      mountPath: {{ $a.diagnostics.directory }}
    - name: agent-diagnostics-token
      mountPath: /var/run/secrets/agent-diagnostics
      readOnly: true
    {{- end }}
    {{- range $name, $p := $a.probes }}
    {{- if $p.secretName }}
    - name: probe-{{ $name | lower }}
      mountPath: /var/run/secrets/agent/{{ $name }}
      readOnly: true
    {{- end }}
    {{- end }}
{{- end -}}


{{/*
The agent's configuration as environment variables. With "Check" true (the helm test Pod) the
settings that only make sense inside the app's pod are left out: the target selector (the test
Pod has no app to see: the check then looks at itself), the triggers that name one of the app's
targets (the check would refuse a target it cannot have) and Runtime:MetricsUrl (usually the
app's 127.0.0.1). Everything else, probes included, is the sidecar's own configuration.
*/}}
{{/*
A target's port as a quoted string: a number, or "app" for the app container's port (AppPort, which
this chart passes; another chart including agent.sidecar passes its own or gives a number).
*/}}
{{- define "agent.port" -}}
{{- if eq (toString .Port) "app" -}}
{{- required (printf "%s=app needs the app's port: pass AppPort when including agent.sidecar" .Key) .AppPort | int | toString | quote -}}
{{- else -}}
{{- .Port | int | toString | quote -}}
{{- end -}}
{{- end -}}

{{- define "agent.env" -}}
{{- $a := .Values -}}
{{- $check := .Check -}}
{{- /* Configuration keys are case-insensitive: the agent refuses two names that differ only in
  case, and two volumes would be named probe-db. Say so here, naming the value. */}}
{{- range $section := list "probes" "targets" "triggers" }}
{{- $seen := dict }}
{{- range $name, $unused := index $a $section | default dict }}
{{- if hasKey $seen (lower $name) }}
{{- fail (printf "agent.%s: '%s' and '%s' differ only in case; configuration keys are case-insensitive" $section (index $seen (lower $name)) $name) }}
{{- end }}
{{- $seen = set $seen (lower $name) $name }}
{{- end }}
{{- end -}}
- name: ASPNETCORE_URLS
  value: "http://+:{{ $a.port }}"
- name: DOTNET_GCGen0MaxBudget
  value: "100000"
{{- if not $check }}
{{- $appPort := .AppPort }}
{{- with $a.target }}
{{- if .processName }}
- name: Target__ProcessName
  value: {{ .processName | quote }}
{{- else if .commandLinePattern }}
- name: Target__CommandLinePattern
  value: {{ .commandLinePattern | quote }}
{{- else if .port }}
- name: Target__Port
  value: {{ include "agent.port" (dict "Port" .port "AppPort" $appPort "Key" "agent.target.port") }}
{{- else if and .auto (not $a.targets) }}
{{- /* Auto only when nothing names a target: a named target found late (a Port target before its
  process listens) would otherwise be discovered a second time under its comm. */}}
- name: Target__Auto
  value: "true"
{{- with .autoProxies }}
- name: Target__AutoProxies
  value: {{ join "," . | quote }}
{{- end }}
{{- end }}
- name: Target__IncludeChildren
  value: {{ .includeChildren | quote }}
{{- end }}
{{- range $name, $t := $a.targets }}
{{- if $t.processName }}
- name: Targets__{{ $name }}__ProcessName
  value: {{ $t.processName | quote }}
{{- else if $t.commandLinePattern }}
- name: Targets__{{ $name }}__CommandLinePattern
  value: {{ $t.commandLinePattern | quote }}
{{- else if $t.port }}
- name: Targets__{{ $name }}__Port
  value: {{ include "agent.port" (dict "Port" $t.port "AppPort" $appPort "Key" (printf "agent.targets.%s.port" $name)) }}
{{- else if $t.pidFile }}
- name: Targets__{{ $name }}__PidFile
  value: {{ $t.pidFile | quote }}
{{- end }}
{{- if hasKey $t "includeChildren" }}
- name: Targets__{{ $name }}__IncludeChildren
  value: {{ $t.includeChildren | quote }}
{{- end }}
{{- if hasKey $t "required" }}
- name: Targets__{{ $name }}__Required
  value: {{ $t.required | quote }}
{{- end }}
{{- end }}
{{- end }}
- name: Sampling__Interval
  value: {{ $a.samplingInterval | quote }}
- name: Readiness__RequireTarget
  value: {{ $a.requireTarget | quote }}
- name: Telemetry__SelfMetrics
{{- /* YAML reads an unquoted off as false (and on as true). */}}
{{- if kindIs "bool" $a.selfMetrics }}
  value: {{ ternary "full" "off" $a.selfMetrics | quote }}
{{- else }}
  value: {{ $a.selfMetrics | default "full" | quote }}
{{- end }}
- name: Runtime__Dotnet__Enabled
  value: {{ $a.runtime.dotnet | quote }}
{{- with $a.traffic }}
- name: Traffic__Enabled
  value: {{ .enabled | quote }}
- name: Traffic__MaxSeries
  value: {{ .maxSeries | int | toString | quote }}
{{- if .statsdPort }}
- name: Traffic__StatsdPort
  value: {{ .statsdPort | int | toString | quote }}
{{- end }}
{{- end }}
{{- if and $a.runtime.metricsUrl (not $check) }}
- name: Runtime__MetricsUrl
  value: {{ $a.runtime.metricsUrl | quote }}
{{- end }}
{{- range $name, $p := $a.probes }}
- name: Probes__{{ $name }}__Kind
  value: {{ $p.kind | quote }}
{{- if $p.secretName }}
- name: Probes__{{ $name }}__ConnectionStringFile
  value: "/var/run/secrets/agent/{{ $name }}/{{ $p.secretKey | default "connection-string" }}"
{{- end }}
{{- if $p.url }}
- name: Probes__{{ $name }}__Url
  value: {{ $p.url | quote }}
{{- end }}
{{- if $p.host }}
- name: Probes__{{ $name }}__Host
  value: {{ $p.host | quote }}
- name: Probes__{{ $name }}__Port
  value: {{ $p.port | quote }}
{{- end }}
{{- range $key, $setting := dict "expectedStatus" "ExpectedStatus" "send" "Send" "expect" "Expect" "address" "Address" "service" "Service" "failureThreshold" "FailureThreshold" "successThreshold" "SuccessThreshold" }}
{{- if hasKey $p $key }}
- name: Probes__{{ $name }}__{{ $setting }}
  value: {{ index $p $key | toString | quote }}
{{- end }}
{{- end }}
{{- if $p.timeout }}
- name: Probes__{{ $name }}__Timeout
  value: {{ $p.timeout | quote }}
{{- end }}
{{- if $p.period }}
- name: Probes__{{ $name }}__Period
  value: {{ $p.period | quote }}
{{- end }}
{{- if hasKey $p "critical" }}
- name: Probes__{{ $name }}__Critical
  value: {{ $p.critical | quote }}
{{- end }}
{{- end }}
{{- range $name, $t := $a.triggers }}
{{- if not (and $check $t.target) }}
- name: Triggers__{{ $name }}__Metric
  value: {{ $t.metric | quote }}
{{- range $key, $setting := dict "target" "Target" "above" "Above" "for" "For" "growthAbove" "GrowthAbove" "window" "Window" "actions" "Actions" "cooldown" "Cooldown" "maxPerHour" "MaxPerHour" }}
{{- /* The check pod is given no targets (it cannot see the app's processes): a trigger's target
  name would name none there, so it is left out and the rest of the trigger is still checked. */}}
{{- if and (hasKey $t $key) (not (and $check (eq $key "target"))) }}
- name: Triggers__{{ $name }}__{{ $setting }}
  value: {{ index $t $key | toString | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- if $a.diagnostics.enabled }}
- name: Diagnostics__Enabled
  value: "true"
- name: Diagnostics__Directory
  value: {{ $a.diagnostics.directory | quote }}
- name: Diagnostics__MaxBytes
  value: {{ $a.diagnostics.maxBytes | int64 | toString | quote }}
- name: Diagnostics__MinFreeBytes
  value: {{ $a.diagnostics.minFreeBytes | int64 | toString | quote }}
- name: Diagnostics__Retention
  value: {{ $a.diagnostics.retention | quote }}
- name: Security__DiagnosticsTokenFile
  value: "/var/run/secrets/agent-diagnostics/{{ $a.diagnostics.tokenSecret.key }}"
{{- end }}
{{- with $a.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}
