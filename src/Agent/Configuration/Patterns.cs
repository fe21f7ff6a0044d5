using System.Text.RegularExpressions;

namespace Agent.Configuration;

/// <summary>The one way a configured regular expression is compiled: culture-invariant, with a match timeout.</summary>
internal static class Patterns
{
    /// <summary>A hostile or careless pattern cannot stall a tick: a match gives up after this long.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    public static Regex Compile(string pattern) => new(pattern, RegexOptions.CultureInvariant, MatchTimeout);

    /// <summary>As <see cref="Compile(string)"/>, an invalid pattern being an error naming <paramref name="key"/>.</summary>
    public static Regex Compile(string pattern, string key)
    {
        try
        {
            return Compile(pattern);
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException(key, $"invalid regular expression: {e.Message}");
        }
    }
}
