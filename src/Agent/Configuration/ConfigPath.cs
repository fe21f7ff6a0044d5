namespace Agent.Configuration;

/// <summary>
/// A file named by a configuration key. A relative path is the user's: it resolves against the
/// directory the agent was started from (<c>dotnet run</c> keeps it too: see
/// <c>RunWorkingDirectory</c> in Agent.csproj), and every error shows the absolute path it tried.
/// </summary>
internal static class ConfigPath
{
    public static string Full(string path)
    {
        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return path;
        }
    }

    /// <summary>"cannot read /abs/path (no such file)": the words a user can act on, not an exception's type alone.</summary>
    public static string CannotRead(string path, Exception e) => $"cannot read {Full(path)} ({Why(e)})";

    public static string Why(Exception e) => e switch
    {
        FileNotFoundException => "no such file",
        DirectoryNotFoundException => "no such directory",
        UnauthorizedAccessException => "permission denied",
        _ => e.GetType().Name,
    };
}
