using System.Net.Http.Headers;
using System.Text.Json;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>Requests to an agent that has a token: /diag, /metrics and /api/status with <c>Authorization: Bearer</c>.</summary>
internal static class DiagnosticsClient
{
    public static async Task<string> Get(this AgentProcess agent, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await agent.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The entries of <c>/diag/artifacts</c>.</summary>
    public static async Task<List<JsonElement>> Artifacts(this AgentProcess agent, string token)
    {
        using var doc = JsonDocument.Parse(await agent.Get("/diag/artifacts", token));
        return [.. doc.RootElement.EnumerateArray().Select(a => a.Clone())];
    }
}
