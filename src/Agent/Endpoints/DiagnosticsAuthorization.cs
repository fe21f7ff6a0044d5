using Agent.Configuration;

namespace Agent.Endpoints;

/// <summary>
/// Every /diag route needs the diagnostics bearer token (Security:DiagnosticsToken, else
/// Security:MetricsToken): a dump holds the target's memory. Only installed when diagnostics
/// are enabled, which needs a token.
/// </summary>
internal sealed class DiagnosticsAuthorization(RequestDelegate next, DiagnosticsSettings settings)
{
    private readonly BearerToken _token = new(settings.Token?.Reveal());

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/diag", StringComparison.OrdinalIgnoreCase) && (!_token.Required || !_token.Allows(context.Request)))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"diagnostics\"";
            return Task.CompletedTask;
        }

        return next(context);
    }
}
