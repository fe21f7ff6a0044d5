namespace Agent.Configuration;

/// <summary>The one rule for a URL the agent calls or pushes to: absolute, http or https.</summary>
internal static class HttpUrl
{
    /// <summary>Null when unset; otherwise the parsed URL, or an error naming <paramref name="key"/>.</summary>
    public static Uri? Parse(string? text, string key) =>
        text is null ? null : TryParse(text) ?? throw new ConfigurationException(key, "must be an absolute http:// or https:// URL");

    /// <summary>As <see cref="Parse"/>, for a key that must be set.</summary>
    public static Uri Require(string? text, string key) =>
        (string.IsNullOrWhiteSpace(text) ? null : TryParse(text)) ?? throw new ConfigurationException(key, "required: an absolute http:// or https:// URL");

    private static Uri? TryParse(string text) =>
        Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps) ? url : null;
}
