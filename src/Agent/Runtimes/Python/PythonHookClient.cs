using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Agent.Runtimes.Python;

/// <summary>
/// One request to a process's Python hook: connect to its Unix socket, check that the process
/// listening is the one expected (SO_PEERCRED, so a socket left by an earlier process under a
/// reused pid, or made by another process of the same user, is never believed), send one line,
/// read one line back under a deadline and a size cap. Every failure is a
/// <see cref="PythonHookException"/> with a reason a user can act on.
/// </summary>
internal static class PythonHookClient
{
    /// <summary>Largest answer read (the hook's biggest, 500 sites of 32 frames, is far below).</summary>
    public const int MaxAnswerBytes = 16 * 1024 * 1024;

    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    public static string Line(string request, IEnumerable<KeyValuePair<string, int>>? arguments = null)
    {
        var line = new StringBuilder(64).Append(CultureInfo.InvariantCulture, $"{{\"v\":{PythonHook.Protocol},\"request\":\"{request}\"");
        foreach (var (key, value) in arguments ?? [])
        {
            line.Append(CultureInfo.InvariantCulture, $",\"{key}\":{value}");
        }

        return line.Append("}\n").ToString();
    }

    /// <summary>Sends <paramref name="line"/> to the hook at <paramref name="path"/>, which must be served by process <paramref name="pid"/> (as the agent numbers it); returns the answer line.</summary>
    public static async Task<byte[]> AskAsync(string path, int pid, string line, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), deadline.Token);
            var peer = PeerPid(socket);
            if (peer != pid)
            {
                throw new PythonHookException(PythonHookFailure.WrongProcess, string.Create(CultureInfo.InvariantCulture, $"{path} is served by pid {peer}, not by the target's pid {pid}"));
            }

            await socket.SendAsync(Encoding.UTF8.GetBytes(line), SocketFlags.None, deadline.Token);
            return await ReadLineAsync(socket, path, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PythonHookException(PythonHookFailure.Timeout, string.Create(CultureInfo.InvariantCulture, $"the hook at {path} did not answer within {timeout.TotalSeconds:0.#} s (its process is stopped, or a thread holds the GIL in C code)"));
        }
        catch (SocketException e)
        {
            throw e.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => new PythonHookException(PythonHookFailure.Gone, $"nothing listens on {path}: left by a process that exited"),
                SocketError.AccessDenied => new PythonHookException(PythonHookFailure.Denied, $"{path} is owner-only (mode 0600): run the agent as the application's user"),
                SocketError.AddressNotAvailable or SocketError.HostNotFound => new PythonHookException(PythonHookFailure.Gone, $"{path} is gone"),
                _ => new PythonHookException(PythonHookFailure.Closed, $"the hook at {path} closed the connection ({e.SocketErrorCode}): did its process exit?"),
            };
        }
        catch (IOException e)
        {
            throw new PythonHookException(PythonHookFailure.Closed, $"the hook at {path} closed the connection ({e.Message}): did its process exit?");
        }
    }

    private static int PeerPid(Socket socket)
    {
        Span<byte> credentials = stackalloc byte[12]; // struct ucred: pid, uid, gid
        return socket.GetRawSocketOption(SolSocket, SoPeerCred, credentials) >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(credentials) : -1;
    }

    private static async Task<byte[]> ReadLineAsync(Socket socket, string path, CancellationToken cancellationToken)
    {
        // Pooled: a gc answer is ~1 KB and comes every interval; a fresh 64 KiB array per read was
        // ~3 MiB more anonymous RSS of the agent (gen0 garbage kept resident between collections).
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            return await ReadLineAsync(socket, path, buffer, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<byte[]> ReadLineAsync(Socket socket, string path, byte[] buffer, CancellationToken cancellationToken)
    {
        using var answer = new MemoryStream();
        while (true)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, cancellationToken);
            if (n == 0)
            {
                break;
            }

            var end = Array.IndexOf(buffer, (byte)'\n', 0, n);
            answer.Write(buffer, 0, end < 0 ? n : end);
            if (answer.Length > MaxAnswerBytes)
            {
                throw new PythonHookException(PythonHookFailure.Malformed, $"the hook at {path} sent more than {MaxAnswerBytes} bytes");
            }

            if (end >= 0)
            {
                return answer.ToArray();
            }
        }

        if (answer.Length == 0)
        {
            throw new PythonHookException(PythonHookFailure.Closed, $"the hook at {path} closed the connection without an answer: did its process exit?");
        }

        return answer.ToArray();
    }
}
