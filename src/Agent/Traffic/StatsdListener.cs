using System.Net;
using System.Net.Sockets;
using Agent.Configuration;

namespace Agent.Traffic;

/// <summary>
/// The opt-in StatsD listener for gunicorn's <c>--statsd-host</c> (<c>Traffic:StatsdPort</c>): UDP on
/// 127.0.0.1 only (the pod's loopback: only the pod's own processes can send). One thread receives
/// into one fixed 64 KiB buffer; a datagram over <see cref="MaxDatagram"/> bytes is dropped whole,
/// every line is parsed without allocating, and only gunicorn's names reach a target's
/// <see cref="TrafficAccumulator"/> (bounded by <c>Traffic:MaxSeries</c>): garbage, unknown names and
/// floods cost CPU, never memory (the kernel drops what the socket's buffer cannot hold). Every
/// <c>Sampling:Interval</c> each target's interval ends and its snapshot is published.
/// </summary>
internal sealed partial class StatsdListener(
    TrafficSettings settings,
    SamplingOptions sampling,
    TrafficStore store,
    SenderAttribution attribution,
    StatsdCounters counters,
    TimeProvider time,
    ILogger<StatsdListener> logger) : BackgroundService
{
    /// <summary>StatsD clients keep datagrams under a network MTU (gunicorn's are under 100 bytes); 8 KiB leaves room for batching clients.</summary>
    public const int MaxDatagram = 8192;

    private static readonly TimeSpan RetryBind = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, TargetTraffic> _targets = new(StringComparer.Ordinal);
    private DateTimeOffset _intervalStart;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (settings.StatsdPort is not { } port)
        {
            return;
        }

        Socket? socket = null;
        string? told = null;
        while (socket is null)
        {
            try
            {
                socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            }
            catch (SocketException e)
            {
                socket?.Dispose();
                socket = null;
                if (told != e.SocketErrorCode.ToString())
                {
                    told = e.SocketErrorCode.ToString();
                    TrafficLog.BindFailed(logger, port, e.Message, RetryBind);
                }

                await Task.Delay(RetryBind, time, stoppingToken);
            }
        }

        TrafficLog.Listening(logger, port);
        _intervalStart = time.GetUtcNow();
        var receiver = Task.Factory.StartNew(() => Receive(socket, stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        using var timer = new PeriodicTimer(sampling.Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Publish();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
        finally
        {
            socket.Dispose(); // ends the blocking receive
            await receiver.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private void Receive(Socket socket, CancellationToken stoppingToken)
    {
        var buffer = new byte[65_536]; // the largest UDP payload fits: nothing is truncated unseen
        var sender = new SocketAddress(AddressFamily.InterNetwork);
        while (!stoppingToken.IsCancellationRequested)
        {
            int n;
            try
            {
                n = socket.ReceiveFrom(buffer, SocketFlags.None, sender);
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException)
            {
                return; // stopped
            }

            // sockaddr_in: family (2 bytes), then the port in network order.
            Handle(buffer.AsSpan(0, n), (sender[2] << 8) | sender[3]);
        }
    }

    /// <summary>One datagram from <c>127.0.0.1:<paramref name="port"/></c>.</summary>
    internal void Handle(ReadOnlySpan<byte> datagram, int port)
    {
        if (datagram.Length > MaxDatagram)
        {
            counters.Add(StatsdResult.Oversized);
            return;
        }

        // First pass: which lines are gunicorn's (no lock, no /proc); only then find the sender's target.
        var mapped = 0;
        foreach (var range in datagram.Split((byte)'\n'))
        {
            var line = datagram[range].TrimEnd((byte)'\r');
            if (line.IsEmpty)
            {
                continue;
            }

            if (!StatsdLine.TryParse(line, out var parsed))
            {
                counters.Add(StatsdResult.Garbage);
            }
            else if (!GunicornStatsd.TryMap(parsed, out _))
            {
                counters.Add(StatsdResult.Unknown);
            }
            else
            {
                mapped++;
            }
        }

        if (mapped == 0)
        {
            return;
        }

        if (attribution.TargetOf(port) is not { } target)
        {
            counters.Add(StatsdResult.Unattributed, mapped);
            return;
        }

        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (!_targets.TryGetValue(target, out var traffic))
            {
                traffic = new TargetTraffic(new TrafficAccumulator(settings.MaxSeries));
                _targets[target] = traffic;
            }

            foreach (var range in datagram.Split((byte)'\n'))
            {
                if (StatsdLine.TryParse(datagram[range].TrimEnd((byte)'\r'), out var parsed) && GunicornStatsd.TryMap(parsed, out var metric))
                {
                    GunicornStatsd.Apply(metric, traffic.Accumulator);
                }
            }

            traffic.Packets++;
            traffic.LastPacket = now;
        }

        counters.Add(StatsdResult.Accepted, mapped);
    }

    /// <summary>Ends every target's interval and publishes its snapshot.</summary>
    internal void Publish()
    {
        var now = time.GetUtcNow();
        var seconds = (now - _intervalStart).TotalSeconds;
        _intervalStart = now;
        var published = new List<(string, TrafficSnapshot)>();
        lock (_lock)
        {
            foreach (var (name, t) in _targets)
            {
                published.Add((name, t.Accumulator.End(TrafficSource.Statsd, null, now, seconds) with { Notes = new TrafficNotes(["gunicorn"], null, t.Packets, t.LastPacket) }));
                t.Accumulator.BeginInterval();
                if (t.Accumulator.Overflowed && !t.ToldOverflow)
                {
                    t.ToldOverflow = true;
                    TrafficLog.SeriesCapped(logger, name, settings.MaxSeries);
                }
            }
        }

        foreach (var (name, snapshot) in published)
        {
            store.Publish(name, snapshot);
        }
    }

    private sealed class TargetTraffic(TrafficAccumulator accumulator)
    {
        public TrafficAccumulator Accumulator { get; } = accumulator;

        public long Packets { get; set; }

        public DateTimeOffset? LastPacket { get; set; }

        public bool ToldOverflow { get; set; }
    }
}
