namespace Agent.Configuration;

/// <summary>
/// Builds a key's full name from its section and the options property that binds it
/// (<c>ConfigKey.Of(TargetOptions.Section, nameof(TargetOptions.Pid))</c> is <c>Target:Pid</c>):
/// the property is the key's one definition, so a rename cannot leave a message behind.
/// </summary>
internal static class ConfigKey
{
    public static string Of(string section, string property) => $"{section}:{property}";
}
