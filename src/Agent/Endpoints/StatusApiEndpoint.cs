using Agent.Status;

namespace Agent.Endpoints;

/// <summary><c>/api/status</c>: the status page's data as JSON (source-generated serialisation).</summary>
internal static class StatusApiEndpoint
{
    public static IResult Handle(HttpContext http, StatusBuilder builder)
    {
        http.Response.Headers.CacheControl = "no-store";
        return Results.Json(builder.Build(), AgentJsonContext.Default.StatusResponse);
    }
}
