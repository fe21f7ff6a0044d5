using Agent.Common;

namespace Agent.Configuration;

/// <summary>
/// A secret given either as a value or as a file holding it (a mounted Kubernetes secret): one
/// rule for every such pair of keys. The value is never echoed in an error.
/// </summary>
internal static class SecretSource
{
    /// <summary>
    /// The secret, or null if neither key is set. The file's content is trimmed (a trailing newline
    /// is how most tools write it); a value is taken as given. <paramref name="key"/> names the key
    /// the secret came from, for the caller's own checks.
    /// </summary>
    public static Secret? Read(string? value, string? file, string valueKey, string fileKey, out string key)
    {
        key = file is null ? valueKey : fileKey;
        if (value is not null && file is not null)
        {
            throw new ConfigurationException(fileKey, $"set either {LastPart(valueKey)} or {LastPart(fileKey)}, not both");
        }

        if (file is null)
        {
            return value is null ? null : new Secret(value);
        }

        try
        {
            return new Secret(File.ReadAllText(file).Trim());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ConfigurationException(fileKey, ConfigPath.CannotRead(file, e));
        }
    }

    private static string LastPart(string key) => key[(key.LastIndexOf(':') + 1)..];
}
