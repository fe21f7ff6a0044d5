using System.Text.Json;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>
/// Time as the agent lived it: the points of its first target's history in /api/status (one per
/// tick, or per second when ticks are faster). "N more points" is "the loop ran on", a condition to
/// wait for instead of a fixed sleep.
/// </summary>
internal static class HistoryPoints
{
    public static async Task<int> Count(HttpClient http) =>
        JsonDocument.Parse(await http.GetStringAsync("/api/status")).RootElement.GetProperty("targets")[0].GetProperty("history").GetProperty("time").GetArrayLength();

    /// <summary>Waits until the history holds <paramref name="more"/> points more than now.</summary>
    public static async Task WaitForMore(HttpClient http, int more, string after)
    {
        var start = await Count(http);
        await Poll.Until(async () => await Count(http) >= start + more, TimeSpan.FromSeconds(30), $"{more} more history points (ticks) after {after}");
    }
}
