namespace Agent.Common;

/// <summary>
/// A connection string or password. Its <see cref="ToString"/> never reveals it, so it cannot
/// leak through a record's generated ToString, string interpolation or a log template.
/// </summary>
internal sealed class Secret(string value)
{
    public string Reveal() => value;

    public override string ToString() => "***";
}
