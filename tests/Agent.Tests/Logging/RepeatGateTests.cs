using Agent.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Agent.Tests.Logging;

public class RepeatGateTests
{
    [Fact]
    public void A_repeating_message_passes_once_a_minute_with_the_count_of_those_held_back()
    {
        var time = new FakeTimeProvider();
        var gate = new RepeatGate(time);

        Assert.True(gate.ShouldLog("k", out var s0));
        Assert.Equal(0, s0);
        for (var i = 0; i < 59; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            Assert.False(gate.ShouldLog("k", out _));
        }

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(gate.ShouldLog("k", out var suppressed));
        Assert.Equal(59, suppressed);
    }

    [Fact]
    public void Keys_are_independent_and_reset_lets_the_next_one_through()
    {
        var gate = new RepeatGate(new FakeTimeProvider());

        Assert.True(gate.ShouldLog("a", out _));
        Assert.True(gate.ShouldLog("b", out _));
        Assert.False(gate.ShouldLog("a", out _));
        gate.Reset("a");
        Assert.True(gate.ShouldLog("a", out _));
    }
}
