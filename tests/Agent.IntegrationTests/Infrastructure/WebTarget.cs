using System.Globalization;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>
/// The Kestrel target (tests/WebTarget): <c>/ok</c>, <c>/fail</c> (500), <c>/slow</c> (300 ms),
/// <c>/items/{id}</c>, <c>/status/{code}</c>, <c>/call?url=</c> (outbound). Started serving, or
/// deferred (a plain process until <see cref="Serve"/>).
/// </summary>
internal sealed class WebTarget : IAsyncDisposable
{
    private WebTarget(ChildProcess process) => Process = process;

    public ChildProcess Process { get; }

    public int Pid => Process.Pid;

    /// <summary>The port Kestrel listens on; 0 until it serves.</summary>
    public int Port { get; private set; }

    public Uri Url(string path) => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}{path}"));

    public static string Dll => Path.Combine(Repo.Root, "tests", "WebTarget", "bin", Repo.Configuration, "net10.0", "WebTarget.dll");

    public static async Task<WebTarget> Start(bool defer = false, string? tag = null)
    {
        var args = new List<string> { Dll, "--port", "0" };
        if (defer)
        {
            args.Add("--defer");
        }

        if (tag is not null)
        {
            args.AddRange(["--tag", tag]);
        }

        var t = new WebTarget(ChildProcess.Start("dotnet", args, new Dictionary<string, string?> { ["DOTNET_gcServer"] = "0" }));
        await t.Process.WaitForOutput("ready", TimeSpan.FromSeconds(60)); // a JIT start took > 30 s at load average ~40
        if (!defer)
        {
            await t.Served();
        }

        return t;
    }

    /// <summary>A deferred target starts its web host now.</summary>
    public async Task Serve()
    {
        await Process.WriteLine("serve");
        await Served();
    }

    private async Task Served()
    {
        await Process.WaitForOutput("serving port=", TimeSpan.FromSeconds(60));
        var line = Process.Stdout.Split('\n').First(l => l.StartsWith("serving port=", StringComparison.Ordinal));
        Port = int.Parse(line["serving port=".Length..].Trim(), CultureInfo.InvariantCulture);
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}

/// <summary>
/// A load generator that counts its own requests: every response's (path label, status) as the
/// client saw it, never what the server or the agent says. A connection failure fails the test.
/// </summary>
internal sealed class CountingClient : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly Dictionary<(string Path, int Status), long> _counts = [];
    private readonly Lock _lock = new();

    /// <summary>(what the request is counted as, e.g. a route template; status) → requests answered.</summary>
    public IReadOnlyDictionary<(string Path, int Status), long> Counts
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<(string, int), long>(_counts);
            }
        }
    }

    public long Total => Counts.Values.Sum();

    /// <summary>Sends every request of <paramref name="requests"/> (url, counted as), <paramref name="concurrency"/> at a time.</summary>
    public async Task Run(IEnumerable<(Uri Url, string CountAs)> requests, int concurrency = 8, CancellationToken ct = default)
    {
        using var queue = new System.Collections.Concurrent.BlockingCollection<(Uri, string)>();
        foreach (var r in requests)
        {
            queue.Add(r, ct);
        }

        queue.CompleteAdding();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(
            async () =>
            {
                while (queue.TryTake(out var r))
                {
                    using var response = await _http.GetAsync(r.Item1, ct);
                    Count(r.Item2, (int)response.StatusCode);
                }
            },
            ct)));
    }

    private void Count(string path, int status)
    {
        lock (_lock)
        {
            _counts[(path, status)] = _counts.GetValueOrDefault((path, status)) + 1;
        }
    }

    public void Dispose() => _http.Dispose();
}
