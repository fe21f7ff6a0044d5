using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Channels;
using Agent.Configuration;
using Agent.Logging;

namespace Agent.Profiling;

/// <summary>
/// Pushes each kept window to a Pyroscope server's HTTP <c>/ingest</c> (format pprof, the
/// <c>profile</c> field of a multipart form, as Pyroscope's own clients send it), named
/// <c>&lt;target&gt;.cpu{host=…,runtime=…}</c>. The sampling loop only offers a window: a queue of
/// <see cref="Capacity"/> windows drops the oldest when the server is slow or away, so an
/// unreachable server never blocks sampling and never grows memory past that bound.
/// </summary>
internal sealed class ProfilePusher : BackgroundService
{
    public const int Capacity = 8;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly Channel<(string Target, string Runtime, CpuProfile Window)> _queue =
        Channel.CreateBounded<(string, string, CpuProfile)>(new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private readonly Uri _ingest;
    private readonly AuthenticationHeaderValue? _authorization;
    private readonly HttpClient _client;
    private readonly RepeatGate _gate;
    private readonly ILogger<ProfilePusher> _logger;
    private long _dropped;

    public ProfilePusher(ProfilingSettings settings, RepeatGate gate, ILogger<ProfilePusher> logger)
    {
        var url = settings.PushUrl ?? throw new InvalidOperationException("no Profiling:PushUrl");
        _authorization = url.UserInfo.Length == 0 ? null : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(url.UserInfo))));
        _ingest = new UriBuilder(url) { UserName = string.Empty, Password = string.Empty, Path = url.AbsolutePath.TrimEnd('/') + "/ingest" }.Uri;
        _client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, ConnectTimeout = Timeout }) { Timeout = Timeout };
        _gate = gate;
        _logger = logger;
    }

    /// <summary>Windows pushed since start (<c>agent_profile_pushes_total</c>).</summary>
    public long Pushed { get; private set; }

    /// <summary>Windows the server refused or could not be reached for.</summary>
    public long Failed { get; private set; }

    /// <summary>Windows dropped unsent because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Never waits: a full queue drops its oldest window.</summary>
    public void Offer(string target, string runtime, CpuProfile window)
    {
        if (_queue.Reader.Count >= Capacity)
        {
            Interlocked.Increment(ref _dropped);
        }

        _queue.Writer.TryWrite((target, runtime, window));
    }

    /// <summary>Pyroscope's application name: the target, the cpu profile type, and labels.</summary>
    internal static string Name(string target, string runtime, string host) =>
        string.Create(CultureInfo.InvariantCulture, $"{target}.cpu{{host={host},runtime={runtime}}}");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (target, runtime, window) in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await PushAsync(target, runtime, window, stoppingToken);
                Pushed++;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !stoppingToken.IsCancellationRequested)
            {
                Failed++;
                if (_gate.ShouldLog("profile-push", out var suppressed))
                {
                    ProfilingLog.PushFailed(_logger, _ingest.GetLeftPart(UriPartial.Path), e.GetType().Name, e.Message, suppressed);
                }
            }
        }
    }

    private async Task PushAsync(string target, string runtime, CpuProfile window, CancellationToken ct)
    {
        var from = window.Start.ToUnixTimeSeconds();
        var until = Math.Max(from + 1, (window.Start + window.Duration).ToUnixTimeSeconds());
        var query = string.Create(CultureInfo.InvariantCulture, $"?name={Uri.EscapeDataString(Name(target, runtime, Environment.MachineName))}&from={from}&until={until}&format=pprof&spyName=sidecar-agent");
        using var form = new MultipartFormDataContent();
        var profile = new ByteArrayContent(PprofWriter.Write(window, $"window of {target}"));
        profile.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(profile, "profile", "profile.pprof");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_ingest + query)) { Content = form };
        request.Headers.Authorization = _authorization;
        using var response = await _client.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException(string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode}"));
        }
    }

    public override void Dispose()
    {
        _client.Dispose();
        base.Dispose();
    }
}
