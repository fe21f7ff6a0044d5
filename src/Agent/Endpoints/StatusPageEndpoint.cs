using Agent.Sampling;
using Agent.Status;
using Microsoft.Net.Http.Headers;

namespace Agent.Endpoints;

/// <summary>
/// <c>/</c>: the status page, or the terminal summary for a client that prefers
/// <c>text/plain</c> (curl's default <c>*/*</c> gets the page).
/// </summary>
internal static class StatusPageEndpoint
{
    public static IResult Handle(HttpContext http, StatusBuilder builder, SamplingSchedule schedule)
    {
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.Vary = "Accept";
        var status = builder.Build();
        if (PrefersText(http.Request))
        {
            return Results.Text(StatusText.Render(status), "text/plain; charset=utf-8");
        }

        return Results.Content(StatusHtml.Render(status, RefreshSeconds(schedule.Interval)), "text/html; charset=utf-8");
    }

    /// <summary>Reload at the sampling interval, but not faster than every 2 s nor slower than every minute.</summary>
    public static int RefreshSeconds(TimeSpan interval) => (int)Math.Clamp(Math.Ceiling(interval.TotalSeconds), 2, 60);

    /// <summary>True when text/plain has a higher quality than text/html in the Accept header.</summary>
    public static bool PrefersText(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accept))
        {
            return false;
        }

        double plain = 0, page = 0;
        foreach (var m in accept)
        {
            var q = m.Quality ?? 1;
            if (m.MediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase))
            {
                plain = Math.Max(plain, q);
            }
            else if (m.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase))
            {
                page = Math.Max(page, q);
            }
        }

        return plain > page;
    }
}
