using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace Agent.Endpoints;

/// <summary>
/// The optional bearer token. Compared in constant time (over SHA-256 digests, so neither the
/// content nor the length of the token leaks through timing).
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
        if (header.Count != 1 || header[0] is not { } value || !value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(value.AsSpan(7).Trim().ToString()));
        return CryptographicOperations.FixedTimeEquals(presented, _digest);
    }
}
