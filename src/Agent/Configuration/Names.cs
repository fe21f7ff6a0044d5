namespace Agent.Configuration;

/// <summary>
/// The one rule for every name configuration gives: a target (<c>Targets:&lt;name&gt;</c>, a trigger's
/// <c>Target</c>), a probe (<c>Probes:&lt;name&gt;</c>) and a trigger (<c>Triggers:&lt;name&gt;</c>). Each
/// becomes a label value and part of a configuration key, so the same characters and length hold.
/// </summary>
internal static class Names
{
    public const int MaxLength = 64;

    /// <summary>Letters, digits, <c>_</c> and <c>-</c>; 1 to <see cref="MaxLength"/> characters.</summary>
    public static bool IsValid(string name) =>
        name.Length is > 0 and <= MaxLength && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    /// <summary>The rule, as a configuration error states it; <paramref name="what"/> is target, probe or trigger.</summary>
    public static string Rule(string what) => $"{what} names may only hold letters, digits, '_' and '-' (1 to 64 characters)";
}
