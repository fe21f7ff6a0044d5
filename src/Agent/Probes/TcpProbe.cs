using System.Net.Sockets;
using System.Text;
using Agent.Configuration;

namespace Agent.Probes;

/// <summary>
/// Connects to host:port; optionally sends <c>Send</c> and requires the reply to start with
/// <c>Expect</c> (blackbox_exporter's query/response), so a listener that accepts but never
/// answers is caught as a timeout rather than passed as healthy.
/// </summary>
internal sealed class TcpProbe(ProbeDefinition definition) : IProbe
{
    public ProbeDefinition Definition { get; } = definition;

    public IReadOnlyCollection<string> Secrets { get; } = [];

    public async Task<ProbeOutcome> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(Definition.Host!, Definition.Port, cancellationToken);
            if (Definition.Send is { Length: > 0 } send)
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes(send), SocketFlags.None, cancellationToken);
            }

            if (Definition.Expect is not { Length: > 0 } expect)
            {
                return ProbeOutcome.Ok("connected");
            }

            var wanted = Encoding.UTF8.GetBytes(expect);
            var buffer = new byte[Math.Max(wanted.Length, 256)];
            var have = 0;
            while (have < wanted.Length)
            {
                var n = await socket.ReceiveAsync(buffer.AsMemory(have), SocketFlags.None, cancellationToken);
                if (n == 0)
                {
                    return ProbeOutcome.Failed(FailureReason.Protocol, "connection closed before the expected reply");
                }

                have += n;
            }

            return buffer.AsSpan(0, wanted.Length).SequenceEqual(wanted)
                ? ProbeOutcome.Ok("expected reply received")
                : ProbeOutcome.Failed(FailureReason.Protocol, "reply does not start with the expected text");
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return FailureClassifier.Classify(e, Secrets);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
