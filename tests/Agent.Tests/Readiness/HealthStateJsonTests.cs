using System.Text.Json;
using Agent.Common;
using Agent.Endpoints;
using Agent.Readiness;

namespace Agent.Tests.Readiness;

/// <summary>The status enum is written as the words the endpoints have always answered with.</summary>
public class HealthStateJsonTests
{
    [Theory]
    [InlineData(nameof(HealthState.Starting), "starting")]
    [InlineData(nameof(HealthState.Healthy), "Healthy")]
    [InlineData(nameof(HealthState.Degraded), "Degraded")]
    [InlineData(nameof(HealthState.Unhealthy), "Unhealthy")]
    public void Status_words_on_the_wire(string name, string word)
    {
        var state = Enum.Parse<HealthState>(name);
        var ready = JsonSerializer.Serialize(new ReadyResponse(state, "00:00:00", new Dictionary<string, ReadyEntry>()), AgentJsonContext.Default.ReadyResponse);
        var health = JsonSerializer.Serialize(new HealthResponse(state, 0, null, false, null), AgentJsonContext.Default.HealthResponse);

        Assert.Equal(word, JsonDocument.Parse(ready).RootElement.GetProperty("status").GetString());
        Assert.Equal(word, JsonDocument.Parse(health).RootElement.GetProperty("status").GetString());
    }
}
