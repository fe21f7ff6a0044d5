using System.Text.RegularExpressions;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>
/// What the repository's Dockerfile ships, read from the file itself so that the tests run the
/// same publish command and the same environment (machines without a container engine cannot
/// build the image; they can run its steps).
/// </summary>
internal static partial class ShippedDockerfile
{
    private static readonly Lazy<string> Text = new(() => File.ReadAllText(Path.Combine(Repo.Root, "Dockerfile")));

    /// <summary>The arguments the build stage gives scripts/publish-native.sh (output directory first).</summary>
    public static IReadOnlyList<string> PublishArguments =>
        PublishLine().Match(Text.Value) is { Success: true } m
            ? m.Groups["args"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            : throw new InvalidOperationException("the Dockerfile has no RUN scripts/publish-native.sh line");

    /// <summary>The runtime stage's ENV, in order (continuation lines joined).</summary>
    public static IReadOnlyDictionary<string, string> Environment
    {
        get
        {
            var env = new Dictionary<string, string>();
            foreach (Match block in EnvBlock().Matches(Text.Value.Replace("\\\n", " ", StringComparison.Ordinal)))
            {
                foreach (var pair in block.Groups["pairs"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    var eq = pair.IndexOf('=', StringComparison.Ordinal);
                    env[pair[..eq]] = pair[(eq + 1)..];
                }
            }

            return env;
        }
    }

    /// <summary>The file the image starts (ENTRYPOINT's first element).</summary>
    public static string Entrypoint => EntrypointLine().Match(Text.Value).Groups["exe"].Value;

    public static IReadOnlyList<int> ExposedPorts => [.. ExposeLine().Matches(Text.Value).Select(m => int.Parse(m.Groups["port"].Value))];

    public static string User => UserLine().Match(Text.Value).Groups["user"].Value;

    [GeneratedRegex(@"(?m)^RUN scripts/publish-native\.sh(?<args>[^\\&\n]*)")]
    private static partial Regex PublishLine();

    [GeneratedRegex(@"(?m)^ENV (?<pairs>.*)$")]
    private static partial Regex EnvBlock();

    [GeneratedRegex(@"(?m)^ENTRYPOINT \[""(?<exe>[^""]+)""")]
    private static partial Regex EntrypointLine();

    [GeneratedRegex(@"(?m)^EXPOSE (?<port>\d+)$")]
    private static partial Regex ExposeLine();

    [GeneratedRegex(@"(?m)^USER (?<user>\S+)$")]
    private static partial Regex UserLine();
}
