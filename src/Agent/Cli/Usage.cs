using Agent.Configuration;

namespace Agent.Cli;

/// <summary>
/// What <c>agent --help</c> prints. The selector keys and probe kinds come from the code that
/// parses them, so the text cannot describe keys or kinds the agent does not have.
/// </summary>
internal static class Usage
{
    private static string Selectors(string section) => string.Join(", ", TargetSelectorOptions.Selectors.Select(k => $"--{section}:{k}="));

    private static string ProbeKinds => string.Join("|", Enum.GetValues<ProbeKind>().Select(k => k.ToString().ToLowerInvariant()));

    public static string Text => $"""
        {VersionInfo.Line}: a sidecar that samples the processes of your application from /proc
        (one target or several, each followed across restarts), reads their runtimes' counters,
        probes their dependencies ({ProbeKinds}) and serves /metrics, /ready and /health.

        Usage:
          agent [configuration...]               run (with nothing set it watches itself)
          agent check [options] [configuration...]
                                                 look once at every target and probe, report what
                                                 will work, exit: 0 all good, 1 something fails,
                                                 2 bad configuration
              --output text|json                 report format (default text)
              --deadline 10s                     overall time limit (default 10s)
          agent python-hook [--install DIR]      print the Python diagnostics hook (or write it and
                                                 its sitecustomize.py into DIR, for PYTHONPATH)
          agent --help | --version

        Point it at your application (one selector per target):
          agent --{TargetOptions.Section}:{nameof(TargetOptions.ProcessName)}=myapp            one target, named {TargetNames.Default}
          agent --{NamedTargetOptions.Section}:web:{nameof(TargetOptions.Port)}=8080 --{NamedTargetOptions.Section}:worker:{nameof(TargetOptions.ProcessName)}=celery
                                                      several, each series labelled target=<name>
          agent --{TargetOptions.Section}:{nameof(TargetOptions.Auto)}=true                    every top-level process of a shared PID
                                                      namespace (Kubernetes shareProcessNamespace)
          {TargetOptions.Section}__{nameof(TargetOptions.CommandLinePattern)}='gunicorn: master' agent       environment form
        Selectors: {Selectors(TargetOptions.Section)}
                   (or under {NamedTargetOptions.Section}:<name>:)
        Probes:    --{ProbeOptions.Section}:<name>:{nameof(ProbeOptions.Kind)}={ProbeKinds} ...
        Every key, its default and meaning: the Configuration section of README.md.

        Endpoints (default http://127.0.0.1:9464, change with --urls):
          /metrics   Prometheus exposition
          /ready     targets present and critical dependencies reachable (for the kubelet)
          /health    the agent's own liveness
          /          what it is watching (a page; `Accept: text/plain` for a summary)
          /diag/...  evidence on request: snapshot, dump, trace, heap, stacks (needs
                     Security:DiagnosticsToken; 404 without it)

        """;
}
