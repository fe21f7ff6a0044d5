namespace Agent.Cli;

/// <summary>What <c>agent --help</c> prints.</summary>
internal static class Usage
{
    public static string Text => $"""
        {VersionInfo.Line}: a sidecar that samples one application process from /proc, probes its
        dependencies (Redis, PostgreSQL, HTTP, TCP) and serves /metrics, /ready and /health.

        Usage:
          agent [configuration...]               run (with nothing set it watches itself)
          agent check [options] [configuration...]
                                                 look once, report what will work, exit:
                                                 0 all good, 1 something fails, 2 bad configuration
              --output text|json                 report format (default text)
              --deadline 10s                     overall time limit (default 10s)
          agent python-hook [--install DIR]      print the Python diagnostics hook (or write it and
                                                 its sitecustomize.py into DIR, for PYTHONPATH)
          agent --help | --version

        Point it at your application (one selector):
          agent --Target:ProcessName=myapp            by process or executable name
          agent --Target:Auto=true                    the only other process of a shared PID
                                                      namespace (Kubernetes shareProcessNamespace)
          Target__CommandLinePattern='gunicorn: master' agent       environment form
        Others: --Target:Pid=, --Target:PidFile=, --Probes:<name>:Kind=redis|postgres|http|tcp ...
        Every key, its default and meaning: the Configuration section of README.md.

        Endpoints (default http://127.0.0.1:9464, change with --urls):
          /metrics   Prometheus exposition
          /ready     target present and critical dependencies reachable (for the kubelet)
          /health    the agent's own liveness
          /          what it is watching

        """;
}
