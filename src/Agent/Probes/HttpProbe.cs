using System.Globalization;
using System.Net;
using Agent.Configuration;

namespace Agent.Probes;

/// <summary>
/// GET a URL with one long-lived client. Redirects are not followed (a 302 to a login page is a
/// status, not health) and no proxy from the environment is used: the probe checks the path
/// the application itself would take.
/// </summary>
internal sealed class HttpProbe : IProbe
{
    private readonly HttpClient _client;
    private readonly TlsValidation _tls;

    public HttpProbe(ProbeDefinition definition)
    {
        Definition = definition;
        _tls = new TlsValidation(definition.CaCertificates);
        var handler = ProbeHttpHandler.Create(definition, _tls);
        handler.AutomaticDecompression = DecompressionMethods.None;
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd("sidecar-agent-probe/1");
        // The URL's user info (https://user:pass@host) is a secret too.
        Secrets = string.IsNullOrEmpty(definition.Url!.UserInfo) ? [] : [definition.Url.UserInfo, Uri.UnescapeDataString(definition.Url.UserInfo)];
    }

    public ProbeDefinition Definition { get; }

    public IReadOnlyCollection<string> Secrets { get; }

    public async Task<ProbeOutcome> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _client.GetAsync(Definition.Url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            var data = new Dictionary<string, string> { ["status"] = status.ToString(CultureInfo.InvariantCulture) };
            var outcome = Definition.ExpectedStatus!.Contains(status)
                ? ProbeOutcome.Ok($"HTTP {status}", data)
                : ProbeOutcome.Failed(FailureReason.HttpStatus, $"HTTP {status}, expected {Definition.ExpectedStatus}", data);
            return WithCertificate(outcome);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            return WithCertificate(_tls.Explain(FailureClassifier.Classify(e, Secrets)));
        }
    }

    /// <summary>The leaf certificate's notAfter, for https only (a plain http probe has none).</summary>
    private ProbeOutcome WithCertificate(ProbeOutcome outcome) =>
        Definition.Url!.Scheme == Uri.UriSchemeHttps ? outcome with { CertificateNotAfter = _tls.LastNotAfter } : outcome;

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
