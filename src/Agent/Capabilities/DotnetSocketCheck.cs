using System.Globalization;
using System.Net.Sockets;
using Agent.Configuration;
using Agent.Procfs;
using Agent.Runtimes;

namespace Agent.Capabilities;

/// <summary>
/// Can the agent talk to the target's .NET runtime? Connect mode: find the socket the way the
/// runtime service does, connect, and ask the runtime for its process info (the first command
/// dotnet-trace and dotnet-counters send); an answer proves the whole path. Listen mode: the
/// socket's directory must be writable by the agent.
/// </summary>
internal static class DotnetSocketCheck
{
    // Diagnostics IPC (dotnet/diagnostics documentation/design-docs/ipc-protocol.md): a 20-byte
    // header, magic "DOTNET_IPC_V1\0", total size, command set, command id, reserved.
    private const int HeaderSize = 20;
    private const byte ProcessCommandSet = 0x04;
    private const byte ProcessInfoCommand = 0x00;
    private const byte ServerCommandSet = 0xFF;
    private const byte OkResponse = 0x00;
    private static ReadOnlySpan<byte> Magic => "DOTNET_IPC_V1\0"u8;

    public static async Task<Capability> CheckAsync(ProcPid process, DotnetRuntimeOptions options, ProcCredentials agent, ProcCredentials target, TimeSpan timeout, CancellationToken ct)
    {
        if (!options.Enabled)
        {
            return new(CapabilityAdvice.DotnetSocketName, CapabilityStatus.NotApplicable, "Runtime:Dotnet:Enabled is false", null, CapabilityAdvice.DotnetAffects);
        }

        if (options.DiagnosticPort is { } listen)
        {
            return ListenMode(listen);
        }

        var pid = process.Pid;
        if (DiagnosticSocket.Find(process) is not { } path)
        {
            return CapabilityAdvice.SocketNotFound(pid, DiagnosticSocket.AgentTmp(), Reachable(process.PathInRoot("/tmp")), RunsDotnet(process), target);
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cts.Token);
            var answered = await AskProcessInfo(socket, cts.Token);
            return answered
                ? new(CapabilityAdvice.DotnetSocketName, CapabilityStatus.Available, $"reachable: {path} (the runtime answered)", null, CapabilityAdvice.DotnetAffects)
                : new(CapabilityAdvice.DotnetSocketName, CapabilityStatus.Unavailable, $"{path} accepted the connection but did not answer as a .NET runtime", "check that the socket belongs to the target's runtime (a stale or foreign file with the runtime's name)", CapabilityAdvice.DotnetAffects);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AccessDenied)
        {
            return CapabilityAdvice.SocketDenied(path, agent, target);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused)
        {
            return new(CapabilityAdvice.DotnetSocketName, CapabilityStatus.Unavailable, $"{path} is stale: nothing listens on it (left by a runtime that was killed)", "the target's current runtime did not create a socket: check DOTNET_EnableDiagnostics, or restart the target", CapabilityAdvice.DotnetAffects);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new(CapabilityAdvice.DotnetSocketName, CapabilityStatus.Unavailable, string.Create(CultureInfo.InvariantCulture, $"{path}: no answer within {timeout.TotalSeconds:F0} s"), "the runtime is not answering its diagnostic socket (suspended at startup without a connected tool? DOTNET_DefaultDiagnosticPortSuspend)", CapabilityAdvice.DotnetAffects);
        }
        catch (OperationCanceledException)
        {
            return CapabilityAdvice.CutShort(CapabilityAdvice.DotnetSocketName, path, CapabilityAdvice.DotnetAffects);
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            return new(CapabilityAdvice.DotnetSocketName, CapabilityStatus.Unavailable, $"{path}: {e.GetType().Name}: {e.Message}", "check the socket's permissions and that the target is running", CapabilityAdvice.DotnetAffects);
        }
    }

    private static async Task<bool> AskProcessInfo(Socket socket, CancellationToken ct)
    {
        var request = new byte[HeaderSize];
        Magic.CopyTo(request);
        request[14] = HeaderSize; // little-endian uint16 total size, no payload
        request[16] = ProcessCommandSet;
        request[17] = ProcessInfoCommand;
        await socket.SendAsync(request, SocketFlags.None, ct);

        var header = new byte[HeaderSize];
        var read = 0;
        while (read < HeaderSize)
        {
            var n = await socket.ReceiveAsync(header.AsMemory(read), SocketFlags.None, ct);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        // The payload (pid, cookie, command line, OS, architecture) is not needed, and the command
        // line may hold secrets: it is never read. Closing early is what the runtime expects of a
        // tool that exits.
        return header.AsSpan(0, Magic.Length).SequenceEqual(Magic) && header[16] == ServerCommandSet && header[17] == OkResponse;
    }

    private static Capability ListenMode(string path)
    {
        var dir = Path.GetDirectoryName(path) ?? "/";
        if (!Directory.Exists(dir))
        {
            return new(CapabilityAdvice.DotnetSocketName, CapabilityStatus.Unavailable, $"listen mode: the directory {dir} of Runtime:Dotnet:DiagnosticPort does not exist", $"create {dir} in the agent's container (in a pod: a volume mounted in the agent and the target)", CapabilityAdvice.DotnetAffects);
        }

        if (Common.Posix.WhyNotWritable(dir) is not null)
        {
            return new(CapabilityAdvice.DotnetSocketName, CapabilityStatus.Unavailable, $"listen mode: the agent cannot create {path}: {dir} is not writable by it", $"make {dir} writable by the agent's user (in a pod: an emptyDir, with fsGroup)", CapabilityAdvice.DotnetAffects);
        }

        return new(CapabilityAdvice.DotnetSocketName, CapabilityStatus.Available, $"listen mode: the agent listens at {path}; the target connects when started with DOTNET_DiagnosticPorts={path},nosuspend (the agent cannot see whether it is)", null, CapabilityAdvice.DotnetAffects);
    }

    /// <summary>Can the agent list the directory (the target's /tmp, through /proc)?</summary>
    private static bool Reachable(string dir)
    {
        try
        {
            using var e = Directory.EnumerateFileSystemEntries(dir).GetEnumerator();
            _ = e.MoveNext();
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            return false;
        }
    }

    /// <summary>argv[0] is the dotnet host: the target is certainly .NET (cmdline is world-readable).</summary>
    private static bool RunsDotnet(ProcPid process) =>
        process.Arguments() is [var argv0, ..] && Path.GetFileName(argv0) == "dotnet";
}
