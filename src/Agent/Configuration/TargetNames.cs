namespace Agent.Configuration;

/// <summary>Target names: the value of every series' <c>target</c> label. The one rule for a valid
/// name and the one default, for configured, discovered and requested targets alike.</summary>
internal static class TargetNames
{
    /// <summary>The one target of the single-target keys (<c>Target:*</c>).</summary>
    public const string Default = "app";

    /// <summary>The longest name: a DNS label's length, so a name can be a pod's container name too.</summary>
    public const int MaxLength = 63;

    /// <summary>The rule, as a configuration error states it.</summary>
    public const string Rule = "target names may only hold letters, digits, '_' and '-' (1 to 63 characters)";

    /// <summary>Letters, digits, <c>_</c> and <c>-</c>; 1 to <see cref="MaxLength"/> characters.</summary>
    public static bool IsValid(string name) =>
        name.Length is > 0 and <= MaxLength && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    /// <summary>A comm made into a name: other characters become <c>_</c> (<c>python3.11</c> → <c>python3_11</c>).</summary>
    public static string FromComm(string comm)
    {
        var chars = comm.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_').ToArray();
        return chars.Length == 0 ? "process" : new string(chars);
    }

    /// <summary><paramref name="name"/>, else <c>name-2</c>, <c>name-3</c>…: the first not taken.</summary>
    public static string Unique(string name, IReadOnlySet<string> taken)
    {
        if (!taken.Contains(name))
        {
            return name;
        }

        for (var i = 2; ; i++)
        {
            var candidate = $"{name}-{i}";
            if (!taken.Contains(candidate))
            {
                return candidate;
            }
        }
    }
}
