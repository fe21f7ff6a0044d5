namespace Agent.Configuration;

/// <summary>The <c>Security</c> section.</summary>
internal sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>
    /// Bearer token required for /metrics and for the detailed /ready body. /health and the
    /// /ready status code stay open for the kubelet.
    /// </summary>
    public string? MetricsToken { get; set; }

    /// <summary>A file holding the token (a mounted Kubernetes secret).</summary>
    public string? MetricsTokenFile { get; set; }

    /// <summary>A separate bearer token for /diag (dumps and traces); Security:MetricsToken guards /diag when unset.</summary>
    public string? DiagnosticsToken { get; set; }

    /// <summary>A file holding the diagnostics token.</summary>
    public string? DiagnosticsTokenFile { get; set; }
}
