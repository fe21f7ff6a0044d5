using System.Net.Sockets;
using Agent.Probes;

namespace Agent.Tests.Probes;

public class FailureClassifierTests
{
    private static string Reason(Exception e) => FailureClassifier.Reason(e).Label();

    [Theory]
    [InlineData(SocketError.ConnectionRefused, "refused")]
    [InlineData(SocketError.HostNotFound, "dns")]
    [InlineData(SocketError.TimedOut, "timeout")]
    [InlineData(SocketError.NetworkUnreachable, "error")]
    public void Socket_errors(SocketError error, string reason)
    {
        Assert.Equal(reason, Reason(new HttpRequestException("x", new SocketException((int)error))));
    }

    [Fact]
    public void A_refused_certificate_or_failed_handshake_is_tls_not_error_or_protocol()
    {
        Assert.Equal("tls", Reason(new HttpRequestException(HttpRequestError.SecureConnectionError, "ssl", new System.Security.Authentication.AuthenticationException("rejected"))));
        Assert.Equal("tls", Reason(new System.Security.Authentication.AuthenticationException("handshake")));
        Assert.Equal("protocol", Reason(new HttpRequestException(HttpRequestError.ResponseEnded, "ended")));
    }

    [Fact]
    public void Timeouts_and_nested_exceptions()
    {
        Assert.Equal("timeout", Reason(new TimeoutException()));
        Assert.Equal("timeout", Reason(new OperationCanceledException()));
        Assert.Equal("refused", Reason(new AggregateException(new InvalidOperationException("outer", new SocketException((int)SocketError.ConnectionRefused)))));
        Assert.Equal("error", Reason(new InvalidOperationException("something else")));
    }

    [Fact]
    public void Scrub_removes_known_secrets_and_password_assignments()
    {
        var text = FailureClassifier.Scrub("failed for Host=db;Password=abc123;User=x and token=zzz, raw hunter2", ["hunter2"]);

        Assert.DoesNotContain("abc123", text, StringComparison.Ordinal);
        Assert.DoesNotContain("zzz", text, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.Contains("Host=db", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_never_contains_the_secret_even_when_the_exception_quotes_it()
    {
        var e = new InvalidOperationException("could not connect with 'Host=h;Password=p4ss;'", new SocketException((int)SocketError.ConnectionRefused));

        var outcome = FailureClassifier.Classify(e, ["Host=h;Password=p4ss;", "p4ss"]);

        Assert.Equal("refused", outcome.Reason?.Label());
        Assert.DoesNotContain("p4ss", outcome.Description, StringComparison.Ordinal);
    }
}
