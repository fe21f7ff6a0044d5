namespace Agent.Endpoints;

/// <summary>Requires the bearer token (when configured) on <c>/metrics</c>; 401 otherwise.</summary>
internal sealed class MetricsAuthorization(RequestDelegate next, BearerToken token)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (token.Required && context.Request.Path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase) && !token.Allows(context.Request))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"metrics\"";
            return Task.CompletedTask;
        }

        return next(context);
    }
}
