using System.Globalization;
using Agent.Configuration;
using Agent.Diagnostics;
using Agent.Diagnostics.Snapshot;

namespace Agent.Endpoints;

/// <summary>
/// The /diag routes. Mapped only when diagnostics are enabled (else 404); every one needs the
/// bearer token (<see cref="DiagnosticsAuthorization"/>). Captures answer 202 with the running
/// artifact's entry and run in the background; a refusal answers with its status and reason.
/// </summary>
internal static class DiagnosticsEndpoints
{
    public static void MapDiagnostics(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<DiagnosticsSettings>().Enabled)
        {
            return;
        }

        app.UseMiddleware<DiagnosticsAuthorization>();
        app.MapGet("/diag/snapshot", GetSnapshot);
        app.MapPost("/diag/snapshot", (HttpContext c, CaptureService s) => Capture(c, s, ArtifactKind.Snapshot));
        app.MapPost("/diag/dump", (HttpContext c, CaptureService s) => Capture(c, s, ArtifactKind.Dump));
        app.MapPost("/diag/trace", (HttpContext c, CaptureService s) => Capture(c, s, ArtifactKind.Trace));
        app.MapPost("/diag/stacks", (HttpContext c, CaptureService s) => Capture(c, s, ArtifactKind.Stacks));
        app.MapPost("/diag/heap", (HttpContext c, CaptureService s) => Capture(c, s, ArtifactKind.Heap));
        app.MapGet("/diag/profile", ProfileEndpoint.Handle);
        app.MapPost("/diag/profile", (HttpContext c, CaptureService s) => Capture(c, s, ArtifactKind.Profile));
        app.MapGet("/diag/artifacts", (ArtifactStore store) => Results.Json(store.Entries, DiagnosticsJsonContext.Default.IReadOnlyListArtifactEntry));
        app.MapGet("/diag/artifacts/{id}", Download);
        app.MapDelete("/diag/artifacts/{id}", Delete);
        app.MapGet("/diag/capabilities", async (HttpContext c, DiagnosticsCapabilities report) => Results.Json(await report.BuildAsync(c.RequestAborted), DiagnosticsJsonContext.Default.IReadOnlyListTargetCapabilities));
    }

    private static IResult GetSnapshot(HttpContext context, DiagnosticTargets targets, ProcessSnapshotReader reader)
    {
        var name = TargetName(context);
        if (targets.Find(name) is not { } target || reader.Read(target) is not { } snapshot)
        {
            return Refusal(new CaptureRefusal(CaptureRefusalReason.UnknownTarget, $"no target named '{name}' is present (known: {string.Join(", ", targets.Names)})"));
        }

        return Results.Json(snapshot, DiagnosticsJsonContext.Default.ProcessSnapshot);
    }

    private static IResult Capture(HttpContext context, CaptureService service, ArtifactKind kind)
    {
        var query = context.Request.Query;
        TimeSpan? duration = null;
        if (query["seconds"] is { Count: > 0 } seconds)
        {
            if (!int.TryParse(seconds[0], NumberStyles.None, CultureInfo.InvariantCulture, out var s))
            {
                return Refusal(new CaptureRefusal(CaptureRefusalReason.BadRequest, "seconds must be a whole number"));
            }

            duration = TimeSpan.FromSeconds(s);
        }

        var type = query["type"] is { Count: > 0 } t ? t[0] ?? "" : "heap";
        if (type is not ("heap" or "full" or "mini"))
        {
            return Refusal(new CaptureRefusal(CaptureRefusalReason.BadRequest, "type must be heap, full or mini"));
        }

        var profile = query["profile"] is { Count: > 0 } p ? p[0] ?? "" : "default";
        if (profile is not ("cpu" or "gc" or "default"))
        {
            return Refusal(new CaptureRefusal(CaptureRefusalReason.BadRequest, "profile must be cpu, gc or default"));
        }

        var result = service.Start(new CaptureRequest(TargetName(context), kind, "manual", type, duration, profile));
        if (result.Refusal is { } refusal)
        {
            return Refusal(refusal);
        }

        var entry = result.Entry!;
        context.Response.Headers.Location = $"/diag/artifacts/{entry.Id}";
        return Results.Json(entry, DiagnosticsJsonContext.Default.ArtifactEntry, statusCode: StatusCodes.Status202Accepted);
    }

    private static IResult Download(string id, ArtifactStore store)
    {
        if (store.Find(id) is not { } entry)
        {
            return Results.NotFound();
        }

        if (entry.State == ArtifactState.Done && !File.Exists(store.PathOf(entry)))
        {
            // Deleted outside the agent: say so, and mark the entry, instead of a 500 from the file result.
            entry = store.MarkMissing(entry.Id) ?? entry;
        }

        if (entry.State == ArtifactState.Missing)
        {
            return Results.Json(new CaptureRefusalBody($"the file of artifact {entry.Id} is gone from {store.Directory} (deleted outside the agent); its entry is marked missing", "missing"), DiagnosticsJsonContext.Default.CaptureRefusalBody, statusCode: StatusCodes.Status404NotFound);
        }

        if (entry.State != ArtifactState.Done)
        {
            return Results.Json(entry, DiagnosticsJsonContext.Default.ArtifactEntry, statusCode: StatusCodes.Status409Conflict);
        }

        return Results.File(store.PathOf(entry), entry.ContentType, entry.FileName, enableRangeProcessing: true);
    }

    private static IResult Delete(string id, ArtifactStore store)
    {
        if (store.Delete(id, out var running))
        {
            return Results.NoContent();
        }

        return running
            ? Results.Json(new CaptureRefusalBody("a running capture cannot be deleted; wait for it to finish", "running"), DiagnosticsJsonContext.Default.CaptureRefusalBody, statusCode: StatusCodes.Status409Conflict)
            : Results.NotFound();
    }

    internal static string TargetName(HttpContext context) =>
        context.Request.Query["target"] is { Count: > 0 } t && !string.IsNullOrEmpty(t[0]) ? t[0]! : TargetNames.Default;

    internal static IResult Refusal(CaptureRefusal refusal)
    {
        var status = refusal.Reason switch
        {
            CaptureRefusalReason.UnknownTarget => StatusCodes.Status404NotFound,
            CaptureRefusalReason.Unsupported => StatusCodes.Status409Conflict,
            CaptureRefusalReason.BadRequest => StatusCodes.Status400BadRequest,
            CaptureRefusalReason.DirectoryUnusable => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status429TooManyRequests,
        };
        var reason = System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(refusal.Reason.ToString());
        return Results.Json(new CaptureRefusalBody(refusal.Message, reason), DiagnosticsJsonContext.Default.CaptureRefusalBody, statusCode: status);
    }
}
