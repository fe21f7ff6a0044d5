using System.Globalization;

namespace Agent.Configuration;

/// <summary>The one rule for a duration that must lie in a range; the message names the key and the bounds.</summary>
internal static class Bounds
{
    /// <summary><paramref name="min"/> ≤ value ≤ <paramref name="max"/>.</summary>
    public static TimeSpan Within(TimeSpan value, TimeSpan min, TimeSpan max, string key) =>
        value >= min && value <= max ? value : throw new ConfigurationException(key, $"must be between {Format(min)} and {Format(max)}");

    /// <summary><c>hh:mm:ss</c>, with milliseconds only when there are some (the form the keys take).</summary>
    private static string Format(TimeSpan t) =>
        t.ToString(t.Milliseconds == 0 ? @"hh\:mm\:ss" : @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture);
}
