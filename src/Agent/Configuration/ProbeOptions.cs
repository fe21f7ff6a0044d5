namespace Agent.Configuration;

/// <summary>One entry of the <c>Probes</c> section: <c>Probes:&lt;name&gt;:*</c>.</summary>
internal sealed class ProbeOptions
{
    public const string Section = "Probes";

    /// <summary><c>redis</c>, <c>postgres</c>, <c>http</c> or <c>tcp</c>.</summary>
    public string? Kind { get; set; }

    /// <summary>redis (StackExchange.Redis form) or postgres (Npgsql form). A secret: never shown.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>A file holding the connection string (a mounted Kubernetes secret).</summary>
    public string? ConnectionStringFile { get; set; }

    /// <summary>http: the URL to GET.</summary>
    public string? Url { get; set; }

    /// <summary>http and grpc: a PEM file of CA certificates trusted besides the system store (a private CA).</summary>
    public string? CaFile { get; set; }

    /// <summary>http: accepted status codes, e.g. <c>200-399</c> or <c>200,204</c>.</summary>
    public string? ExpectedStatus { get; set; }

    /// <summary>grpc: the server's URL, <c>http://host:port</c> (plaintext HTTP/2) or <c>https://host:port</c>.</summary>
    public string? Address { get; set; }

    /// <summary>grpc: the service name asked about; empty (the default) is the server as a whole.</summary>
    public string? Service { get; set; }

    /// <summary>tcp: host and port.</summary>
    public string? Host { get; set; }

    public int? Port { get; set; }

    /// <summary>tcp: optional text sent after connecting (escapes \r \n allowed).</summary>
    public string? Send { get; set; }

    /// <summary>tcp: optional text the reply must start with; without it a connect is success.</summary>
    public string? Expect { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan Period { get; set; } = TimeSpan.FromSeconds(5);

    public bool Critical { get; set; } = true;

    /// <summary>Consecutive failures before a passing probe fails /ready (the kubelet's failureThreshold).</summary>
    public int FailureThreshold { get; set; } = 1;

    /// <summary>Consecutive successes before a failing probe passes /ready again (the kubelet's successThreshold).</summary>
    public int SuccessThreshold { get; set; } = 1;
}
