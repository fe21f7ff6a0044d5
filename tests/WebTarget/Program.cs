using System.Globalization;

// A Kestrel app for the traffic tests. Arguments: --port N (0: any free port), --tag T (to be found
// by a command-line pattern), --defer (start as a plain process; serve only after "serve" on stdin,
// so an agent can attach before the ASP.NET Core meters exist).
// Routes:
//   GET /ok             -> 200
//   GET /fail           -> 500
//   GET /slow           -> 200 after 300 ms
//   GET /items/{id}     -> 200 (one route template for any id)
//   GET /status/{code}  -> that status code (100-599; one series per code)
//   GET /call?url=U     -> GETs U with one shared HttpClient; answers 200 with the upstream status as body
// stdout: "ready pid=P" at start, "serving port=N" once Kestrel listens; stdin: "serve", "quit".
var port = 0;
var defer = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--port":
            port = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--defer":
            defer = true;
            break;
        case "--tag":
            i++; // only there to be matched by a command-line pattern
            break;
    }
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ready pid={Environment.ProcessId}"));
if (defer)
{
    while (Console.ReadLine() is { } line && line.Trim() != "serve")
    {
    }
}

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
var app = builder.Build();
using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) });

app.MapGet("/ok", () => Results.Text("ok"));
app.MapGet("/fail", () => Results.StatusCode(500));
app.MapGet("/slow", async () =>
{
    // At least 300 ms by the high-resolution clock the request duration is measured with: a timer
    // counts whole milliseconds and can end up to one early (a mean of 0.29989 s was seen).
    var started = System.Diagnostics.Stopwatch.GetTimestamp();
    while (System.Diagnostics.Stopwatch.GetElapsedTime(started) < TimeSpan.FromMilliseconds(300))
    {
        await Task.Delay(TimeSpan.FromMilliseconds(300) - System.Diagnostics.Stopwatch.GetElapsedTime(started) + TimeSpan.FromMilliseconds(1));
    }

    return Results.Text("slow");
});
app.MapGet("/items/{id}", (string id) => Results.Text(id));
app.MapGet("/status/{code:int}", (int code) => Results.StatusCode(Math.Clamp(code, 100, 599)));
app.MapGet("/call", async (string url) =>
{
    using var response = await client.GetAsync(new Uri(url));
    return Results.Text(((int)response.StatusCode).ToString(CultureInfo.InvariantCulture));
});

await app.StartAsync();
var address = app.Urls.First();
Console.WriteLine("serving port=" + new Uri(address).Port.ToString(CultureInfo.InvariantCulture));

// Runs until stdin closes or says "quit" (the tests' ChildProcess closes stdin on dispose).
await Task.Run(() =>
{
    while (Console.ReadLine() is { } line && line.Trim() != "quit")
    {
    }
});
await app.StopAsync();
