using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>A loopback listener that hands each accepted connection to a handler, counting them.</summary>
internal class LoopbackListener : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly List<long> _acceptedAt = [];
    private int _accepted;

    protected LoopbackListener(Func<Socket, CancellationToken, Task> handle, int port = 0)
    {
        _listener = new(IPAddress.Loopback, port);
        _listener.Start();
        _loop = Accept(handle);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>When each connection was accepted, on the test's clock (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>).</summary>
    public IReadOnlyList<long> AcceptedAt
    {
        get
        {
            lock (_acceptedAt)
            {
                return [.. _acceptedAt];
            }
        }
    }

    public virtual async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task Accept(Func<Socket, CancellationToken, Task> handle)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var s = await _listener.AcceptSocketAsync(_stop.Token);
                lock (_acceptedAt)
                {
                    _acceptedAt.Add(System.Diagnostics.Stopwatch.GetTimestamp());
                }

                Interlocked.Increment(ref _accepted);
                await handle(s, _stop.Token);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
        }
    }
}

/// <summary>A listener that accepts every connection and never sends a byte: a hung dependency.</summary>
internal sealed class Blackhole : LoopbackListener
{
    private readonly List<Socket> _held;

    /// <summary>On a free port, or on <paramref name="port"/> (taking over a stopped server's port).</summary>
    public Blackhole(int port = 0)
        : this([], port)
    {
    }

    private Blackhole(List<Socket> held, int port)
        : base((s, _) => Hold(held, s), port)
    {
        _held = held;
    }

    /// <summary>
    /// Connections open right now: accepted and not yet closed by the peer. What a peer sent is
    /// read and dropped (still no answer); a read of 0 bytes is its close. Closed ones are released.
    /// </summary>
    public int Open()
    {
        lock (_held)
        {
            foreach (var s in _held.Where(PeerClosed).ToList())
            {
                _held.Remove(s);
                s.Dispose();
            }

            return _held.Count;
        }
    }

    private static Task Hold(List<Socket> held, Socket s)
    {
        lock (held)
        {
            held.Add(s);
        }

        return Task.CompletedTask;
    }

    /// <summary>The peer closed (or reset) the connection; what it sent is read and dropped.</summary>
    internal static bool PeerClosed(Socket s)
    {
        var buffer = new byte[4096];
        try
        {
            while (s.Poll(0, SelectMode.SelectRead)) // readable: data, or the end of the stream
            {
                if (s.Receive(buffer) == 0)
                {
                    return true;
                }
            }

            return false;
        }
        catch (SocketException)
        {
            return true; // reset
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        lock (_held)
        {
            _held.ForEach(s => s.Dispose());
        }
    }
}

/// <summary>Serves a fixed body to every request and closes the connection.</summary>
internal sealed class FixedHttpServer(string body) : LoopbackListener(async (s, ct) =>
{
    using (s)
    {
        try
        {
            _ = await s.ReceiveAsync(new byte[4096], SocketFlags.None, ct);
            await s.SendAsync(Encoding.UTF8.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}"), SocketFlags.None, ct);
        }
        catch (SocketException)
        {
            // the client gave up mid-body (e.g. a size cap): serve the next one
        }
    }
});
