using Microsoft.AspNetCore.Connections;

namespace Agent.Check;

/// <summary>
/// The agent cannot open its listening address (taken by another process, a port below 1024
/// without the capability, an address not of this host): one line naming the address and the fix,
/// and exit code <see cref="ExitCode"/> — what <c>agent check</c> says of the same case — instead
/// of an unhandled exception and a stack trace.
/// </summary>
internal static class ListenFailure
{
    public const int ExitCode = 1;

    /// <summary>Before anything starts: each address bound for an instant, as <c>agent check</c> does.</summary>
    public static string? Before(IConfiguration configuration, string defaultUrl) =>
        ListenCheck.Urls(configuration, defaultUrl).Select(ListenCheck.Check).FirstOrDefault(f => f.Status != CheckStatus.Ok) is { } failed
            ? $"cannot listen on {failed.Url}: {failed.Detail}"
            : null;

    /// <summary>
    /// Kestrel's own failure, for an address taken between <see cref="Before"/> and the start; null
    /// when <paramref name="e"/> is not a failure to listen.
    /// </summary>
    public static string? Describe(Exception e)
    {
        if (e is not IOException io || !io.Message.StartsWith("Failed to bind to address", StringComparison.Ordinal))
        {
            return null;
        }

        var why = io.InnerException switch
        {
            AddressInUseException => "another process listens there; choose another port with --urls (or ASPNETCORE_URLS)",
            { } inner => inner.Message,
            null => "see the address",
        };
        return $"cannot listen: {io.Message.TrimEnd('.')}: {why}";
    }
}
