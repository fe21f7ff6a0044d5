using System.Globalization;
using System.Net;
using Agent.Configuration;

namespace Agent.Probes;

/// <summary>
/// GET a URL with one long-lived client. Redirects are not followed (a 302 to a login page is a
/// status, not health) and no proxy from the environment is used: the probe checks the path
/// the application itself would take. Credentials in the URL are sent as Basic authentication.
/// </summary>
internal sealed class HttpProbe : IProbe
{
    private readonly HttpClient _client;
    private readonly TlsValidation _tls;
    private readonly Uri _url; // Url without its user info

    public HttpProbe(ProbeDefinition definition)
    {
        Definition = definition;
        _tls = new TlsValidation(definition.CaCertificates);
        var handler = ProbeHttpHandler.Create(definition, _tls);
        handler.AutomaticDecompression = DecompressionMethods.None;
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd("sidecar-agent-probe/1");
        var credentials = UrlCredentials.Of(definition.Url!);
        _url = credentials.Url;
        _client.DefaultRequestHeaders.Authorization = credentials.Authorization;
        Secrets = credentials.Secrets;
    }

    public ProbeDefinition Definition { get; }

    public IReadOnlyCollection<string> Secrets { get; }

    public async Task<ProbeOutcome> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _client.GetAsync(_url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
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
