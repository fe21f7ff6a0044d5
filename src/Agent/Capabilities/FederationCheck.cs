using System.Globalization;
using Agent.Probes;

namespace Agent.Capabilities;

/// <summary>
/// Can the agent scrape a target's metrics endpoint (<c>Runtime:MetricsUrl</c> or <c>Targets:&lt;name&gt;:MetricsUrl</c>)? One GET under <c>Runtime:MetricsTimeout</c>, no
/// proxy, no redirects: the request the federation service makes every interval.
/// </summary>
internal static class FederationCheck
{
    private static readonly TimeSpan MinimumDeadline = TimeSpan.FromSeconds(2);

    /// <param name="url">The endpoint, null when the target has none.</param>
    /// <param name="key">The key that set it, named in every fix.</param>
    public static async Task<Capability> CheckAsync(Uri? url, string? key, TimeSpan timeout, CancellationToken ct)
    {
        if (url is null || key is null)
        {
            return new(CapabilityAdvice.FederationName, CapabilityStatus.NotApplicable, "no metrics endpoint is set for this target (Runtime:MetricsUrl for the primary, Targets:<name>:MetricsUrl)", null, CapabilityAdvice.FederationAffects);
        }

        // Shown without user info or query: either may hold a credential.
        var shown = url.GetLeftPart(UriPartial.Path).Replace(url.UserInfo + "@", string.Empty, StringComparison.Ordinal);
        string[] secrets = string.IsNullOrEmpty(url.UserInfo) ? [] : [url.UserInfo, Uri.UnescapeDataString(url.UserInfo)];
        // The question is "can the agent reach it", asked once: a cold HTTP stack (a JIT build's
        // first request) must not turn into a false timeout, so the deadline is at least 2 s.
        var deadline = timeout > MinimumDeadline ? timeout : MinimumDeadline;
        using var handler = new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, ConnectTimeout = deadline };
        using var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(deadline);
        try
        {
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300)
            {
                return new(CapabilityAdvice.FederationName, CapabilityStatus.Available, string.Create(CultureInfo.InvariantCulture, $"reachable: {shown} answered HTTP {status}"), null, CapabilityAdvice.FederationAffects);
            }

            return new(CapabilityAdvice.FederationName, CapabilityStatus.Unavailable, string.Create(CultureInfo.InvariantCulture, $"{shown} answered HTTP {status}"), CapabilityAdvice.FederationFix(FailureReason.HttpStatus, shown, timeout, key), CapabilityAdvice.FederationAffects);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            var outcome = FailureClassifier.Classify(e, secrets);
            var reason = outcome.Reason ?? FailureReason.Error;
            return new(CapabilityAdvice.FederationName, CapabilityStatus.Unavailable, $"{shown}: {outcome.Description}", CapabilityAdvice.FederationFix(reason, shown, deadline, key), CapabilityAdvice.FederationAffects);
        }
        catch (OperationCanceledException)
        {
            return CapabilityAdvice.CutShort(CapabilityAdvice.FederationName, shown, CapabilityAdvice.FederationAffects);
        }
    }
}
