using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Agent.IntegrationTests;

/// <summary>In-process host (WebApplicationFactory): endpoints and their HTTP semantics.</summary>
public sealed class LandingPageTests : IClassFixture<WebApplicationFactory<Program>>
{
    private readonly WebApplicationFactory<Program> _factory;

    public LandingPageTests(WebApplicationFactory<Program> factory) => _factory = factory;

    [Fact]
    public async Task Landing_page_lists_endpoints_version_and_target()
    {
        using var client = _factory.CreateClient();

        var html = await client.GetStringAsync("/");

        Assert.Contains("/metrics", html, StringComparison.Ordinal);
        Assert.Contains("/health", html, StringComparison.Ordinal);
        Assert.Contains("/ready", html, StringComparison.Ordinal);
        Assert.Contains(typeof(Program).Assembly.GetName().Version!.ToString(3), html, StringComparison.Ordinal);
        Assert.Contains("self", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Head_on_health_works_and_unknown_paths_are_404()
    {
        using var client = _factory.CreateClient();
        await Infrastructure.Poll.Until(async () => (await client.GetAsync("/health")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(10), "health");

        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/health"));
        using var missing = await client.GetAsync("/nope");
        using var post = await client.PostAsync("/metrics", null);

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }
}
