using System.Text.Json.Serialization;

namespace Agent.Check;

/// <summary>One run of one probe: its classified result and duration.</summary>
internal sealed record ProbeFinding(CheckStatus Status, string Name, string Kind, bool Critical, string? Reason, string Description, double DurationSeconds)
{
    /// <summary>
    /// The reason, then the description — once: many descriptions already start with their reason
    /// (<c>refused: SocketException: …</c>), and "refused: refused:" reads as a stutter.
    /// </summary>
    [JsonIgnore]
    public string Text => Reason is null || Description.StartsWith(Reason + ":", StringComparison.Ordinal) ? Description : $"{Reason}: {Description}";
}
