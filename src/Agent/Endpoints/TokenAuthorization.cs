namespace Agent.Endpoints;

/// <summary>
/// With a token configured: <c>/metrics</c>, the status page <c>/</c> and <c>/api/*</c> require it
/// (401 otherwise). The page's challenge is Basic, so a browser asks for it; <c>/health</c> and
/// <c>/ready</c>'s status stay open for the kubelet.
/// </summary>
internal sealed class TokenAuthorization(RequestDelegate next, BearerToken token)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (!token.Required || token.Allows(context.Request))
        {
            return next(context);
        }

        var path = context.Request.Path;
        string[]? challenge = path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase) ? ["Bearer realm=\"metrics\""]
            : path.Value is "/" or "" ? ["Basic realm=\"sidecar agent\", charset=\"UTF-8\""]
            : path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) ? ["Bearer realm=\"agent\"", "Basic realm=\"sidecar agent\", charset=\"UTF-8\""]
            : null;
        if (challenge is null)
        {
            return next(context);
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = challenge;
        return Task.CompletedTask;
    }
}
