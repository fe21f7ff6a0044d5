using System.Net.Http.Headers;

namespace Agent.Probes;

/// <summary>
/// Credentials in a probe's URL (<c>https://user:pass@host/</c>): an HTTP client never sends a URL's
/// user info, so the http and grpc probes send it as Basic authentication (RFC 7617, user and
/// password percent-decoded) and request the URL without it. Every form of it is a secret.
/// </summary>
internal sealed record UrlCredentials(Uri Url, AuthenticationHeaderValue? Authorization, IReadOnlyCollection<string> Secrets)
{
    public static UrlCredentials Of(Uri url)
    {
        if (url.UserInfo.Length == 0)
        {
            return new(url, null, []);
        }

        var colon = url.UserInfo.IndexOf(':', StringComparison.Ordinal);
        var user = Uri.UnescapeDataString(colon < 0 ? url.UserInfo : url.UserInfo[..colon]);
        var password = colon < 0 ? string.Empty : Uri.UnescapeDataString(url.UserInfo[(colon + 1)..]);
        var basic = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(user + ":" + password));
        return new(
            new UriBuilder(url) { UserName = string.Empty, Password = string.Empty }.Uri,
            new AuthenticationHeaderValue("Basic", basic),
            [url.UserInfo, Uri.UnescapeDataString(url.UserInfo), basic, password]);
    }
}
