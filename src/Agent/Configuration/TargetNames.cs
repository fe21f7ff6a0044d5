namespace Agent.Configuration;

/// <summary>Target names: the value of every series' <c>target</c> label. The one default name and
/// the names of discovered targets; what a valid name is, <see cref="Names"/> says for every kind of name.</summary>
internal static class TargetNames
{
    /// <summary>The one target of the single-target keys (<c>Target:*</c>).</summary>
    public const string Default = "app";


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
