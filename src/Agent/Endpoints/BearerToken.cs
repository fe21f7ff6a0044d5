using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace Agent.Endpoints;

/// <summary>
/// The optional access token. Presented as <c>Authorization: Bearer &lt;token&gt;</c> (Prometheus,
/// curl) or as HTTP Basic with any user name and the token as password (so that a browser can
/// open the status page). Compared in constant time over SHA-256 digests, so neither the content
/// nor the length of the token leaks through timing.
/// </summary>
internal sealed class BearerToken
{
    private readonly byte[]? _digest;

    public BearerToken(string? token)
    {
        _digest = string.IsNullOrEmpty(token) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token));
    }

    public bool Required => _digest is not null;

    /// <summary>True if no token is configured or the request carries the right one.</summary>
    public bool Allows(HttpRequest request)
    {
        if (_digest is null)
        {
            return true;
        }

        StringValues header = request.Headers.Authorization;
        if (header.Count != 1 || header[0] is not { } value)
        {
            return false;
        }

        string? presented = null;
        if (value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            presented = value.AsSpan(7).Trim().ToString();
        }
        else if (value.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            presented = BasicPassword(value.AsSpan(6).Trim());
        }

        return presented is not null
            && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _digest);
    }

    /// <summary>The password of <c>base64(user:password)</c>; null if malformed.</summary>
    private static string? BasicPassword(ReadOnlySpan<char> encoded)
    {
        // Bounded: Kestrel refuses headers over 16 KiB (HttpLimits).
        var bytes = new byte[(encoded.Length / 4 * 3) + 3];
        if (!Convert.TryFromBase64Chars(encoded, bytes, out var written))
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(bytes, 0, written);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? null : text[(colon + 1)..];
    }
}
