using Agent.Sampling;

namespace Agent.Tests.Sampling;

/// <summary>The listening-port selector on the fixture trees (net/tcp{,6} + fd/ links).</summary>
public sealed class PortSelectorTests
{
    [Fact]
    public void A_socket_shared_by_a_master_and_its_workers_selects_the_master()
    {
        // 127.0.0.1:8000, inode 3001, held by gunicorn 100 and its workers 101 and 102.
        Assert.Equal(100, new PortSelector(8000).Select(new SelectionContext(Fixtures.Host(), 300)).Pid);
    }

    [Fact]
    public void V4_and_v6_listeners_are_both_found()
    {
        var pod = new SelectionContext(Fixtures.Pod(), 6);

        Assert.Equal(2, new PortSelector(8080).Select(pod).Pid); // 0.0.0.0:8080, the app and its worker
        Assert.Equal(5, new PortSelector(15001).Select(pod).Pid); // [::]:15001, envoy
    }

    [Fact]
    public void An_established_connection_is_not_a_listener_and_nothing_is_explained()
    {
        // 54321 (0xD431) appears only as the local port of a connection, never LISTEN.
        var none = new PortSelector(54321).Select(new SelectionContext(Fixtures.Pod(), 6));

        Assert.Null(none.Pid);
        Assert.Equal("nothing listens on TCP port 54321", none.Problem);
    }
}
