using System.Text.RegularExpressions;
using Agent.History;
using Agent.Probes;

namespace Agent.Tests.History;

/// <summary>
/// History keeps the reason a probe gave, every one of them: a TLS failure was once recorded as
/// <c>error</c> in the page's history and events while /ready said <c>tls</c>.
/// </summary>
public sealed partial class ProbeStateTests
{
    public static TheoryData<string> Reasons() => new(FailureReason.All);

    [Theory]
    [MemberData(nameof(Reasons))]
    public void Every_failure_reason_survives_history(string reason)
    {
        Assert.Equal(reason, ProbeStates.FromReason(reason).Reason());
    }

    [Fact]
    public void Each_failure_state_is_named_as_its_reason()
    {
        // The enum's own member names, written as the labels are (HttpStatus -> http_status): an
        // independent reading of the order the positional mapping relies on.
        var failures = Enum.GetValues<ProbeState>().Where(s => s is not ProbeState.Ok and not ProbeState.Stale);
        Assert.Equal(FailureReason.All, failures.Select(s => SnakeCase().Replace(s.ToString(), "_$1").ToLowerInvariant()));
    }

    [Fact]
    public void Healthy_stale_and_unknown_words()
    {
        Assert.Equal(ProbeState.Ok, ProbeStates.FromReason(null));
        Assert.Null(ProbeState.Ok.Reason());
        Assert.Equal("stale", ProbeStates.FromReason("stale").Reason());
        Assert.Equal(ProbeState.Error, ProbeStates.FromReason("no_such_reason"));
        Assert.Equal(ProbeState.Tls, ProbeStates.FromReason("tls"));
    }

    [GeneratedRegex("(?<=[a-z])([A-Z])")]
    private static partial Regex SnakeCase();
}
