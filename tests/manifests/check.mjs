// Checks what can be checked without helm: chart values against values.schema.json (and that
// bad values are refused), example manifests against the Kubernetes schema, and the invariants
// the chart promises (shared PID namespace, probes, hardened security context).
// Prints one line per check and exits non-zero on the first failure.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import Ajv from "ajv";
import yaml from "js-yaml";
import { Deployment } from "kubernetes-models/apps/v1";
import { Pod } from "kubernetes-models/v1";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const chart = path.join(root, "charts/agent");
const load = (p) => yaml.load(readFileSync(p, "utf8"));
const fail = (msg) => { console.error("FAIL " + msg); process.exit(1); };
const ok = (msg) => console.log("ok   " + msg);

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(JSON.parse(readFileSync(path.join(chart, "values.schema.json"), "utf8")));
const values = load(path.join(chart, "values.yaml"));
if (!validate(values)) fail("values.yaml against values.schema.json: " + ajv.errorsText(validate.errors));
ok("values.yaml matches values.schema.json");

const clone = (o) => JSON.parse(JSON.stringify(o));
const bad = [
  ["a probe without a kind", (v) => { v.agent.probes = { db: { secretName: "s" } }; }],
  ["a postgres probe without a secret", (v) => { v.agent.probes = { db: { kind: "postgres" } }; }],
  ["a root agent", (v) => { v.agent.securityContext.runAsNonRoot = false; }],
  ["a writable root filesystem", (v) => { v.agent.securityContext.readOnlyRootFilesystem = false; }],
  ["a malformed interval", (v) => { v.agent.samplingInterval = "1s"; }],
  ["an unknown key", (v) => { v.agent.targte = {}; }],
  ["an unknown self-metrics mode", (v) => { v.agent.selfMetrics = "some"; }],
  ["a named target with two selectors", (v) => { v.agent.targets = { web: { port: 8000, processName: "gunicorn" } }; }],
  ["a named target without a selector", (v) => { v.agent.targets = { web: { includeChildren: true } }; }],
  ["a target name with a dot", (v) => { v.agent.targets = { "web.1": { port: 8000 } }; }],
  ["a target port of 0", (v) => { v.agent.targets = { web: { port: 0 } }; }],
  ["a target port that is neither a number nor app", (v) => { v.agent.target.port = "http"; }],
  ["a proxy name with a comma", (v) => { v.agent.target.autoProxies = ["a,b"]; }],
  ["a trigger without a metric", (v) => { v.agent.triggers = { leak: { growthAbove: "20MiB", window: "00:00:15" } }; }],
  ["a trigger with an unknown action", (v) => { v.agent.triggers = { leak: { metric: "target_process_threads", above: 100, actions: "snapshot,heapdump" } }; }],
  ["a trigger with both above and growthAbove", (v) => { v.agent.triggers = { t: { metric: "target_process_threads", above: 100, growthAbove: 10, window: "00:01:00" } }; }],
  ["a growth trigger without a window", (v) => { v.agent.triggers = { leak: { metric: "target_process_resident_memory_bytes", growthAbove: "20MiB" } }; }],
  ["a size in MB rather than MiB", (v) => { v.agent.triggers = { leak: { metric: "target_process_resident_memory_bytes", above: "20MB" } }; }],
];
// The values.yaml comment's named targets (a meshed pod by port) are accepted.
{
  const v = clone(values);
  v.agent.targets = { web: { port: "app", includeChildren: true }, envoy: { processName: "envoy", required: false } };
  if (!validate(v)) fail("schema refused the documented named targets: " + ajv.errorsText(validate.errors));
  ok("schema accepts the documented named targets");
}
// The README's leak rule, as the values.yaml comment shows it, is accepted.
{
  const v = clone(values);
  v.agent.triggers = { leak: { metric: "target_process_resident_memory_bytes", growthAbove: "100MiB", window: "00:10:00", actions: "snapshot,stacks", cooldown: "00:30:00", maxPerHour: 2 } };
  if (!validate(v)) fail("schema refused the documented leak trigger: " + ajv.errorsText(validate.errors));
  ok("schema accepts the documented leak trigger");
}
for (const [what, mutate] of bad) {
  const v = clone(values);
  mutate(v);
  if (validate(v)) fail(`schema accepted ${what}`);
  ok(`schema refuses ${what}`);
}

for (const file of ["deployment.yaml", "deployment-native-sidecar.yaml"]) {
  const doc = load(path.join(chart, "examples", file));
  try {
    new Deployment(doc).validate();
  } catch (e) {
    fail(`${file} against the Kubernetes schema: ${e.message}`);
  }
  ok(`${file} matches the Kubernetes apps/v1 Deployment schema`);

  const spec = doc.spec.template.spec;
  const all = [...(spec.initContainers ?? []), ...spec.containers];
  const agent = all.find((c) => c.name === "agent");
  const app = spec.containers.find((c) => c.name !== "agent");
  const checks = [
    ["shareProcessNamespace", spec.shareProcessNamespace === true],
    ["agent liveness on /health", agent.livenessProbe?.httpGet?.path === "/health"],
    ["app readiness on the agent's /ready", app.readinessProbe?.httpGet?.path === "/ready" && app.readinessProbe.httpGet.port === 9464],
    ["agent runs as non-root", agent.securityContext?.runAsNonRoot === true],
    ["agent has a read-only root filesystem", agent.securityContext?.readOnlyRootFilesystem === true],
    ["agent drops all capabilities", JSON.stringify(agent.securityContext?.capabilities?.drop) === '["ALL"]'],
    ["app and agent share /tmp", [agent, app].every((c) => c.volumeMounts?.some((m) => m.name === "shared-tmp" && m.mountPath === "/tmp"))],
    ["agent resources set", !!agent.resources?.requests?.memory && !!agent.resources?.limits?.memory],
    ["native sidecar only when asked", file.includes("native") ? agent.restartPolicy === "Always" && spec.initContainers.includes(agent) : !spec.initContainers],
  ];
  for (const [what, pass] of checks) {
    if (!pass) fail(`${file}: ${what}`);
    ok(`${file}: ${what}`);
  }
}
{
  const file = "helm-test-check-pod.yaml";
  const doc = load(path.join(chart, "examples", file));
  try {
    new Pod(doc).validate();
  } catch (e) {
    fail(`${file} against the Kubernetes schema: ${e.message}`);
  }
  ok(`${file} matches the Kubernetes v1 Pod schema`);
  const c = doc.spec.containers[0];
  const env = (c.env ?? []).map((e) => e.name);
  const checks = [
    ["a helm test hook", doc.metadata.annotations?.["helm.sh/hook"] === "test"],
    ["runs agent check", c.args?.[0] === "check"],
    ["never restarted", doc.spec.restartPolicy === "Never"],
    ["no target selector (no app in this pod)", !env.some((n) => n.startsWith("Target__") || n.startsWith("Targets__"))],
    ["the sidecar's probes", env.includes("Probes__db__Kind") && env.includes("Probes__db__ConnectionStringFile")],
    ["the probe's secret mounted", c.volumeMounts?.some((m) => m.mountPath === "/var/run/secrets/agent/db")],
    ["hardened like the sidecar", c.securityContext?.readOnlyRootFilesystem === true && c.securityContext?.runAsNonRoot === true],
  ];
  for (const [what, pass] of checks) {
    if (!pass) fail(`${file}: ${what}`);
    ok(`${file}: ${what}`);
  }
}

// The validator itself must catch a broken manifest.
const broken = load(path.join(chart, "examples", "deployment.yaml"));
broken.spec.template.spec.containers[0].ports[0].containerPort = "eighty";
let refused = false;
try { new Deployment(broken).validate(); } catch { refused = true; }
if (!refused) fail("the Kubernetes schema accepted a string containerPort");
ok("the Kubernetes schema refuses a broken manifest");
console.log("all manifest checks passed");
