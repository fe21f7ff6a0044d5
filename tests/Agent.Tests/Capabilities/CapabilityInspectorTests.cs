using System.Net;
using System.Net.Sockets;
using Agent.Capabilities;
using Agent.Configuration;
using Microsoft.Extensions.Configuration;

namespace Agent.Tests.Capabilities;

/// <summary>The inspector on fixture /proc trees (tests/fixtures/capabilities/&lt;case&gt;), one per situation.</summary>
public sealed class CapabilityInspectorTests : IDisposable
{
    private const int Pid = 4000001; // above any pid_max: no live process can answer for it
    private readonly string _dir = Directory.CreateTempSubdirectory("caps-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // The runtime keys its socket with its start time (stat field 22): read from the tree's own stat.
    private static string StartTime(string tree) =>
        File.ReadAllText(Path.Combine(tree, Pid.ToString(), "stat")).Split(") ")[1].Split(' ')[19];

    private static string Tree(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "capabilities", name);

    private static AgentSettings Settings(params (string Key, string Value)[] values) =>
        AgentSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    private static Capability Item(CapabilityReport r, string name) => r.Items.Single(i => i.Name == name);

    [Fact]
    public async Task Everything_readable_and_nothing_configured()
    {
        var r = await CapabilityInspector.InspectAsync(Tree("readable"), Pid, Settings(), CancellationToken.None);

        Assert.Equal((1000, 1000, false), (r.TargetUid, r.AgentUid, r.AgentHasSysPtrace));
        Assert.Equal(["stat", "io", "fd", "smaps_rollup", "traffic", "cgroup", "dotnet_diagnostic_socket", "federation_url", "python_hook", "cpu_profile"], r.Items.Select(i => i.Name));
        Assert.All(r.Items.Take(4), i => Assert.Equal(CapabilityStatus.Available, i.Status));
        // A python3 target whose /tmp the agent can see and that has no socket is not .NET.
        Assert.Equal(CapabilityStatus.NotApplicable, Item(r, "dotnet_diagnostic_socket").Status);
        Assert.Equal(CapabilityStatus.NotApplicable, Item(r, "federation_url").Status);
        // The one thing missing is an opt-in of the app (python3 app.py without the hook): advice, with the line to add.
        var hook = Assert.Single(r.Unavailable);
        Assert.Equal(("python_hook", true), (hook.Name, hook.OptIn));
        Assert.Contains("import sidecar_hook", hook.Fix, StringComparison.Ordinal);
        Assert.All(r.Items.Where(i => i != hook), i => Assert.Null(i.Fix));
    }

    [Fact]
    public async Task Files_an_old_kernel_lacks_do_not_apply()
    {
        var r = await CapabilityInspector.InspectAsync(Tree("old-kernel"), Pid, Settings(), CancellationToken.None);

        Assert.Equal(CapabilityStatus.NotApplicable, Item(r, "io").Status);
        Assert.Contains("Linux before 4.14", Item(r, "smaps_rollup").Detail, StringComparison.Ordinal);
        Assert.Equal(CapabilityStatus.Available, Item(r, "fd").Status);
    }

    [Fact]
    public async Task A_dotnet_target_whose_tmp_is_hidden_gets_the_shared_tmp_and_listen_mode_fixes()
    {
        var r = await CapabilityInspector.InspectAsync(Tree("dotnet-hidden-tmp"), Pid, Settings(), CancellationToken.None);

        Assert.Equal((0, 65534), (r.TargetUid, r.AgentUid));
        var socket = Item(r, "dotnet_diagnostic_socket");
        Assert.Equal(CapabilityStatus.Unavailable, socket.Status);
        Assert.Contains("/proc/4000001/root/tmp is not reachable", socket.Detail, StringComparison.Ordinal);
        Assert.Contains("DOTNET_DiagnosticPorts=/tmp/agent-diag.sock,nosuspend", socket.Fix, StringComparison.Ordinal);
        Assert.Contains("run the agent as uid 0", socket.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_vanished_process_is_one_unavailable_entry()
    {
        var r = await CapabilityInspector.InspectAsync(Tree("readable"), Pid + 1, Settings(), CancellationToken.None);

        var only = Assert.Single(r.Items);
        Assert.Equal(("stat", CapabilityStatus.Unavailable), (only.Name, only.Status));
    }

    [Fact]
    public async Task Dotnet_disabled_does_not_apply()
    {
        var r = await CapabilityInspector.InspectAsync(Tree("readable"), Pid, Settings(("Runtime:Dotnet:Enabled", "false")), CancellationToken.None);

        Assert.Equal(CapabilityStatus.NotApplicable, Item(r, "dotnet_diagnostic_socket").Status);
    }

    [Fact]
    public async Task A_stale_socket_is_refused_and_said_so()
    {
        // A real Unix socket that is bound and not listening: connect() gets ECONNREFUSED, as for
        // the file a SIGKILLed runtime leaves behind. (.NET unlinks a socket file it bound when the
        // socket is disposed, so it stays open for the test.)
        var tree = CopyTree("readable");
        var path = Path.Combine(tree, Pid.ToString(), "root", "tmp", $"dotnet-diagnostic-{Pid}-{StartTime(tree)}-socket");
        using var bound = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        bound.Bind(new UnixDomainSocketEndPoint(path));

        var socket = Item(await CapabilityInspector.InspectAsync(tree, Pid, Settings(), CancellationToken.None), "dotnet_diagnostic_socket");

        Assert.Equal(CapabilityStatus.Unavailable, socket.Status);
        Assert.Contains("stale", socket.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_socket_that_answers_something_else_is_not_taken_for_a_runtime()
    {
        var tree = CopyTree("readable");
        var path = Path.Combine(tree, Pid.ToString(), "root", "tmp", $"dotnet-diagnostic-{Pid}-{StartTime(tree)}-socket");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen();
        var serve = Task.Run(async () =>
        {
            using var c = await listener.AcceptAsync();
            var buffer = new byte[20];
            _ = await c.ReceiveAsync(buffer);
            await c.SendAsync("HTTP/1.1 400 Bad Request\r\n\r\n"u8.ToArray());
        });

        var socket = Item(await CapabilityInspector.InspectAsync(tree, Pid, Settings(), CancellationToken.None), "dotnet_diagnostic_socket");
        await serve;

        Assert.Equal(CapabilityStatus.Unavailable, socket.Status);
        Assert.Contains("did not answer as a .NET runtime", socket.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listen_mode_needs_an_existing_directory()
    {
        var missing = await CapabilityInspector.InspectAsync(Tree("readable"), Pid, Settings(("Runtime:Dotnet:DiagnosticPort", "/nonexistent-dir/agent.sock")), CancellationToken.None);
        var present = await CapabilityInspector.InspectAsync(Tree("readable"), Pid, Settings(("Runtime:Dotnet:DiagnosticPort", Path.Combine(_dir, "agent.sock"))), CancellationToken.None);

        Assert.Equal(CapabilityStatus.Unavailable, Item(missing, "dotnet_diagnostic_socket").Status);
        Assert.Contains("/nonexistent-dir of Runtime:Dotnet:DiagnosticPort does not exist", Item(missing, "dotnet_diagnostic_socket").Detail, StringComparison.Ordinal);
        Assert.Equal(CapabilityStatus.Available, Item(present, "dotnet_diagnostic_socket").Status);
    }

    [Fact]
    public async Task A_federation_url_where_nothing_listens_is_refused_without_its_query()
    {
        int port;
        using (var l = new TcpListener(IPAddress.Loopback, 0))
        {
            l.Start();
            port = ((IPEndPoint)l.LocalEndpoint).Port;
        }

        var r = await CapabilityInspector.InspectAsync(Tree("readable"), Pid, Settings(("Runtime:MetricsUrl", $"http://127.0.0.1:{port}/metrics?token=abc")), CancellationToken.None);

        var f = Item(r, "federation_url");
        Assert.Equal(CapabilityStatus.Unavailable, f.Status);
        Assert.True(f.Fix!.Contains("nothing listens", StringComparison.Ordinal), f.Detail);
        // (Credentials in the URL are refused at startup: ConfigMeaningTests.)
        Assert.DoesNotContain("token=abc", f.Detail + f.Fix, StringComparison.Ordinal);
        Assert.Contains($"http://127.0.0.1:{port}/metrics", f.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_report_serialises_with_statuses_as_names()
    {
        var r = await CapabilityInspector.InspectAsync(Tree("dotnet-hidden-tmp"), Pid, Settings(), CancellationToken.None);

        using var json = System.Text.Json.JsonDocument.Parse(System.Text.Json.JsonSerializer.Serialize(r, CapabilityJsonContext.Default.CapabilityReport));

        Assert.Equal(Pid, json.RootElement.GetProperty("pid").GetInt32());
        var socket = json.RootElement.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("name").GetString() == "dotnet_diagnostic_socket");
        Assert.Equal("Unavailable", socket.GetProperty("status").GetString());
        Assert.StartsWith("share the target's /tmp", socket.GetProperty("fix").GetString(), StringComparison.Ordinal);
    }

    private string CopyTree(string name)
    {
        var target = Path.Combine(_dir, name);
        foreach (var file in Directory.EnumerateFiles(Tree(name), "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(target, Path.GetRelativePath(Tree(name), file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }

        return target;
    }
}
