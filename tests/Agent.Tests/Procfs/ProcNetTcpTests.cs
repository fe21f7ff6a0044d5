using System.Net;
using System.Net.Sockets;
using System.Text;
using Agent.Procfs;

namespace Agent.Tests.Procfs;

public class ProcNetTcpTests
{
    [Fact]
    public void An_ipv4_row_gives_addresses_ports_state_uid_and_inode()
    {
        const string row = "   0: 0100007F:AF2F 0A00020F:01BB 01 00000000:00000000 00:00000000 00000000  1000        0 7451 1 00000000921db0b4 100 0 0 10 0";

        Assert.True(ProcNetTcp.TryParseLine(Encoding.ASCII.GetBytes(row), out var s));

        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.1"), 0xAF2F), s.Local);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("15.2.0.10"), 443), s.Remote);
        Assert.Equal(TcpState.Established, s.State);
        Assert.Equal(1000, s.Uid);
        Assert.Equal(7451UL, s.Inode);
    }

    [Fact]
    public void An_ipv6_row_with_a_mapped_ipv4_address()
    {
        const string row = "   0: 0000000000000000FFFF00000100007F:B308 00000000000000000000000001000000:9D91 0A 00000000:00000000 03:00000D6F 00000000     0        0 0 3 000000001e324483";

        Assert.True(ProcNetTcp.TryParseLine(Encoding.ASCII.GetBytes(row), out var s));

        Assert.Equal(IPAddress.Parse("::ffff:127.0.0.1"), s.Local.Address);
        Assert.Equal(0xB308, s.Local.Port);
        Assert.Equal(IPAddress.IPv6Loopback, s.Remote.Address);
        Assert.Equal(TcpState.Listen, s.State);
        Assert.Equal(0UL, s.Inode);
    }

    [Theory]
    [InlineData("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode")]
    [InlineData("   0: 0100007F:AF2F")]
    [InlineData("   0: 0100007:AF2F 00000000:0000 0A 0:0 0:0 0 0 0 1")]
    [InlineData("   0: 0100007F:1AF2F 00000000:0000 0A 0:0 0:0 0 0 0 1")]
    [InlineData("   0: 0100007G:AF2F 00000000:0000 0A 0:0 0:0 0 0 0 1")]
    [InlineData("   0: 0100007F:AF2F 00000000:0000 0A 0:0 0:0 0 x 0 1")]
    [InlineData("   0: 0100007F:AF2F 00000000:0000 1FF 0:0 0:0 0 0 0 1")]
    [InlineData("")]
    public void Headers_and_malformed_rows_are_skipped(string row)
    {
        Assert.False(ProcNetTcp.TryParseLine(Encoding.ASCII.GetBytes(row), out _));
    }

    [Fact]
    public void Every_row_of_the_captured_files_parses()
    {
        var v4 = new List<TcpSocket>();
        var v6 = new List<TcpSocket>();

        ProcNetTcp.Parse(Fixtures.Proc("net-tcp"), v4);
        ProcNetTcp.Parse(Fixtures.Proc("net-tcp6"), v6);

        Assert.Equal(Fixtures.ProcText("net-tcp").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1, v4.Count);
        Assert.Equal(Fixtures.ProcText("net-tcp6").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1, v6.Count);
        Assert.All(v4, s => Assert.Equal(AddressFamily.InterNetwork, s.Local.AddressFamily));
        Assert.All(v6, s => Assert.Equal(AddressFamily.InterNetworkV6, s.Local.AddressFamily));
        Assert.DoesNotContain(v4.Concat(v6), s => s.State == TcpState.Unknown);
    }

    [Theory]
    [InlineData(AddressFamily.InterNetwork, "tcp")]
    [InlineData(AddressFamily.InterNetworkV6, "tcp6")]
    public void A_live_listener_and_connection_are_found_by_inode(AddressFamily family, string file)
    {
        var loopback = family == AddressFamily.InterNetwork ? IPAddress.Loopback : IPAddress.IPv6Loopback;
        using var listener = new Socket(family, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(loopback, 0));
        listener.Listen();
        using var client = new Socket(family, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        var sockets = new List<TcpSocket>();

        ProcNetTcp.Parse(File.ReadAllBytes($"/proc/{Environment.ProcessId}/net/{file}"), sockets);

        var listening = Assert.Single(sockets, s => s.Inode == Inode(listener));
        Assert.Equal(TcpState.Listen, listening.State);
        Assert.Equal(listener.LocalEndPoint, listening.Local);
        var connected = Assert.Single(sockets, s => s.Inode == Inode(client));
        Assert.Equal(TcpState.Established, connected.State);
        Assert.Equal(client.LocalEndPoint, connected.Local);
        Assert.Equal(client.RemoteEndPoint, connected.Remote);
    }

    private static ulong Inode(Socket socket)
    {
        var link = new FileInfo($"/proc/{Environment.ProcessId}/fd/{(int)socket.Handle}").LinkTarget!;
        return ulong.Parse(link["socket:[".Length..^1]);
    }
}
