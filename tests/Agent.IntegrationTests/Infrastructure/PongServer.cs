using System.Net.Sockets;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>
/// Answers every connection's first message with <c>+PONG</c> (as Redis answers PING), except
/// the connections the test tells it to fail: those are closed without a reply.
/// </summary>
internal sealed class PongServer : LoopbackListener
{
    private readonly Switch _switch;

    public PongServer()
        : this(new Switch())
    {
    }

    private PongServer(Switch s)
        : base((socket, ct) => Answer(s, socket, ct))
    {
        _switch = s;
    }

    /// <summary>Close the next <paramref name="count"/> connections without answering.</summary>
    public void FailNext(int count) => Volatile.Write(ref _switch.FailNext, count);

    /// <summary>Close every connection without answering until set back to false.</summary>
    public void FailAll(bool fail) => Volatile.Write(ref _switch.FailAll, fail);

    private static async Task Answer(Switch s, Socket socket, CancellationToken ct)
    {
        using (socket)
        {
            _ = await socket.ReceiveAsync(new byte[256], SocketFlags.None, ct);
            var fail = Volatile.Read(ref s.FailAll) || Interlocked.Decrement(ref s.FailNext) >= 0;
            if (!fail)
            {
                await socket.SendAsync("+PONG\r\n"u8.ToArray(), SocketFlags.None, ct);
            }
        }
    }

    private sealed class Switch
    {
        public int FailNext;
        public bool FailAll;
    }
}
