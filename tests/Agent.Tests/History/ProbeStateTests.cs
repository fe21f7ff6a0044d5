using System.Text.RegularExpressions;
using Agent.History;
using Agent.Probes;

namespace Agent.Tests.History;

/// <summary>
/// History keeps the reason a probe gave, every one of them: a TLS failure was once recorded as
/// <c>error</c> in the page's history and events while /ready said <c>tls</c>. There is one reason
/// type now (<see cref="FailureReason"/>) and one label table; these tests read it independently.
/// </summary>
public sealed partial class ProbeStateTests
{
    // By name: the enum is internal, a theory parameter must be public.
    public static TheoryData<string> Reasons() => new(FailureReasons.All.Select(r => r.ToString()));

    [Theory]
    [MemberData(nameof(Reasons))]
    public void Every_failure_reason_survives_history_with_the_word_ready_uses(string name)
    {
        var reason = Enum.Parse<FailureReason>(name);
        var state = ProbeStates.Of(ProbeOutcome.Failed(reason, "it failed"));
        Assert.Equal(reason.Label(), state.Reason());
        Assert.NotEqual(ProbeState.Ok, state);
        Assert.NotEqual(ProbeState.Stale, state);
    }

    [Fact]
    public void The_labels_are_the_documented_words_one_per_reason()
    {
        // The words the README's /ready section and agent_probe_failures_total document, written out here.
        Assert.Equal(["timeout", "refused", "dns", "auth", "protocol", "tls", "http_status", "unhealthy", "error"], FailureReasons.All.Select(r => r.Label()));

        // And each is its member's name in snake case: a member added without a label shows up as "error".
        Assert.All(FailureReasons.All, r => Assert.Equal(SnakeCase().Replace(r.ToString(), "_$1").ToLowerInvariant(), r.Label()));
    }

    [Fact]
    public void Healthy_and_stale_words()
    {
        Assert.Equal(ProbeState.Ok, ProbeStates.Of(ProbeOutcome.Ok("fine")));
        Assert.Null(ProbeState.Ok.Reason());
        Assert.Equal("stale", ProbeState.Stale.Reason());
        Assert.Equal("error", ProbeStates.Of(new ProbeOutcome(false, null, "no reason given")).Reason());
    }

    [GeneratedRegex("(?<=[a-z])([A-Z])")]
    private static partial Regex SnakeCase();
}
