using System.Net.Sockets;
using System.Text;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>
/// A loopback dependency that answers every connection at once (HTTP 200 with <c>Connection:
/// close</c>, or <c>+PONG</c> to a line) except the ones it was told to hold: after
/// <see cref="HoldNext"/>, the next accepted connection is kept open and never answered, for as
/// long as the server lives — one stuck connection behind a load balancer.
/// </summary>
internal sealed class HoldingServer : LoopbackListener
{
    private readonly State _state;

    private HoldingServer(State state, bool http)
        : base((s, ct) => Handle(state, s, http, ct)) => _state = state;

    public static HoldingServer Http() => new(new State(), http: true);

    /// <summary>Answers <c>+PONG\r\n</c> to every line (a tcp probe with Send/Expect).</summary>
    public static HoldingServer Pong() => new(new State(), http: false);

    /// <summary>The next connection accepted is held forever.</summary>
    public void HoldNext() => Volatile.Write(ref _state.Armed, 1);

    /// <summary>True once the armed hold has taken a connection.</summary>
    public bool HoldTaken => Volatile.Read(ref _state.Armed) == 0;

    /// <summary>Held connections the client (the agent) has not closed; closed ones are counted as such.</summary>
    public int HeldOpenByClient()
    {
        lock (_state.Held)
        {
            return _state.Held.Count(s => !Blackhole.PeerClosed(s));
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        lock (_state.Held)
        {
            _state.Held.ForEach(s => s.Dispose());
        }
    }

    private static Task Handle(State state, Socket s, bool http, CancellationToken ct)
    {
        if (Interlocked.Exchange(ref state.Armed, 0) == 1)
        {
            lock (state.Held)
            {
                state.Held.Add(s);
            }

            return Task.CompletedTask;
        }

        _ = Serve(s, http, ct); // one task per connection; the accept loop goes on
        return Task.CompletedTask;
    }

    private static async Task Serve(Socket s, bool http, CancellationToken ct)
    {
        using (s)
        {
            var buffer = new byte[8192];
            var have = 0;
            try
            {
                while (true)
                {
                    var text = Encoding.ASCII.GetString(buffer, 0, have);
                    if (text.Contains(http ? "\r\n\r\n" : "\n", StringComparison.Ordinal))
                    {
                        var answer = http ? "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n" : "+PONG\r\n";
                        await s.SendAsync(Encoding.ASCII.GetBytes(answer), SocketFlags.None, ct);
                        if (http)
                        {
                            return;
                        }

                        have = 0;
                        continue;
                    }

                    var n = await s.ReceiveAsync(buffer.AsMemory(have), SocketFlags.None, ct);
                    if (n == 0 || (have += n) == buffer.Length)
                    {
                        return;
                    }
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
            {
            }
        }
    }

    private sealed class State
    {
        public int Armed;

        public List<Socket> Held { get; } = [];
    }
}
