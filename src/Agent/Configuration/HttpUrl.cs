namespace Agent.Configuration;

/// <summary>
/// The one rule for a URL the agent calls or pushes to: absolute, http or https. Credentials in the
/// URL (<c>http://user:password@host/</c>) are refused unless the caller sends them
/// (the <c>credentials</c> argument: the http probe sends them as Basic authentication): an HTTP client
/// never sends a URL's user info by itself, and a credential silently dropped only shows up later as
/// a 401.
/// </summary>
internal static class HttpUrl
{
    /// <summary>Null when unset; otherwise the parsed URL, or an error naming <paramref name="key"/>.</summary>
    public static Uri? Parse(string? text, string key, string? credentials = null) =>
        text is null ? null : Checked(TryParse(text) ?? throw new ConfigurationException(key, "must be an absolute http:// or https:// URL"), key, credentials);

    /// <summary>As <see cref="Parse"/>, for a key that must be set.</summary>
    /// <param name="credentials">Where the caller sends the URL's user info; null refuses a URL that carries any.</param>
    public static Uri Require(string? text, string key, string? credentials = null) =>
        Checked((string.IsNullOrWhiteSpace(text) ? null : TryParse(text)) ?? throw new ConfigurationException(key, "required: an absolute http:// or https:// URL"), key, credentials);

    private static Uri Checked(Uri url, string key, string? credentials) =>
        url.UserInfo.Length == 0 || credentials is not null
            ? url
            : throw new ConfigurationException(key, "must not carry credentials (user:password@): they would not be sent; use the key's own authentication setting, or an http probe, which sends them as Basic authentication");

    private static Uri? TryParse(string text) =>
        Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps) ? url : null;
}
