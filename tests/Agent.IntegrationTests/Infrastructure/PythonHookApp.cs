using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>
/// Python targets with the agent's hook (src/python-hook) and a raw client of the hook's socket,
/// written here from the protocol's description (one JSON line each way), not with the agent's
/// client: the tests check the hook and the agent against each other.
/// </summary>
internal static class PythonHookApp
{
    public static string Source => Path.Combine(Repo.Root, "src", "python-hook");

    /// <summary>A directory holding the shipped hook, and its sitecustomize.py unless <paramref name="siteCustomize"/> is false (then only the one-line import loads it).</summary>
    public static string Install(string parent, bool siteCustomize = true)
    {
        var dir = Path.Combine(parent, siteCustomize ? "hook-site" : "hook-import");
        Directory.CreateDirectory(dir);
        File.Copy(Path.Combine(Source, "sidecar_hook.py"), Path.Combine(dir, "sidecar_hook.py"), overwrite: true);
        if (siteCustomize)
        {
            File.Copy(Path.Combine(Source, "sitecustomize.py"), Path.Combine(dir, "sitecustomize.py"), overwrite: true);
        }

        return dir;
    }

    /// <summary>Starts <c>/usr/bin/python3 targets/&lt;script&gt;</c> with <paramref name="pythonPath"/> and waits for its 'ready' line.</summary>
    public static async Task<ChildProcess> Start(string script, string pythonPath, IDictionary<string, string?>? env = null, params string[] args)
    {
        var environment = new Dictionary<string, string?>(env ?? new Dictionary<string, string?>()) { ["PYTHONPATH"] = pythonPath };
        var app = ChildProcess.Start("/usr/bin/python3", [Path.Combine(Repo.Targets, script), .. args], environment);
        await app.WaitForOutput("ready", TimeSpan.FromSeconds(30));
        return app;
    }

    public static string SocketOf(int pid) => $"/tmp/sidecar-hook-{pid}.sock";

    /// <summary>Waits for the hook of <paramref name="pid"/> to listen (it starts on a thread of its own).</summary>
    public static Task WaitListening(int pid) =>
        Poll.Until(async () => (await Ask(pid, """{"v":1,"request":"hello"}""")).GetProperty("ok").GetBoolean(), TimeSpan.FromSeconds(15), $"hook of pid {pid} answers hello");

    /// <summary>Sends one line and reads the one line back (the hook closes after it).</summary>
    public static async Task<JsonElement> Ask(int pid, string request, TimeSpan? timeout = null)
    {
        var raw = await Send(SocketOf(pid), Encoding.UTF8.GetBytes(request + "\n"), timeout ?? TimeSpan.FromSeconds(10));
        return JsonDocument.Parse(raw).RootElement.Clone();
    }

    /// <summary>Sends raw bytes and returns everything the hook writes until it closes.</summary>
    public static async Task<string> Send(string socketPath, byte[] bytes, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cts.Token);
        try
        {
            await socket.SendAsync(bytes, SocketFlags.None, cts.Token);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown)
        {
            // the hook stopped reading (an oversized request): what it answered is still to read
        }

        return await ReadToEnd(socket, cts.Token);
    }

    public static async Task<string> ReadToEnd(Socket socket, CancellationToken ct)
    {
        var answer = new MemoryStream();
        var buffer = new byte[65536];
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, ct);
                if (n == 0)
                {
                    break;
                }

                answer.Write(buffer, 0, n);
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset)
        {
            // closed after its answer
        }

        return Encoding.UTF8.GetString(answer.ToArray());
    }

    /// <summary>The first line of the app's stdout after <paramref name="command"/> that starts with <paramref name="prefix"/>, as JSON when it is JSON.</summary>
    public static async Task<string> Command(ChildProcess app, string command, string prefix)
    {
        var before = app.Stdout.Split('\n').Count(l => l.StartsWith(prefix, StringComparison.Ordinal));
        await app.WriteLine(command);
        await Poll.Until(() => app.Stdout.Split('\n').Count(l => l.StartsWith(prefix, StringComparison.Ordinal)) > before, TimeSpan.FromSeconds(10), $"app answered '{command}'");
        return app.Stdout.Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).ElementAt(before).Trim();
    }

    /// <summary>The line of <paramref name="script"/> that carries <paramref name="marker"/> (a comment like <c># LEAK</c>), counted from 1: read from the file, not assumed.</summary>
    public static int LineOf(string script, string marker) =>
        File.ReadAllLines(Path.Combine(Repo.Targets, script)).Select((l, i) => (l, i)).Single(x => x.l.TrimEnd().EndsWith("# " + marker, StringComparison.Ordinal)).i + 1;

    public static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
