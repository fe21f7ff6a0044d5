using System.Net.Sockets;
using Agent.Probes;
using Npgsql;
using StackExchange.Redis;

namespace Agent.Tests.Probes;

/// <summary>
/// The classification rules of the README's reason list, one per client-library form: the
/// PostgreSQL SQLSTATE class 28 (invalid authorization), Redis's NOAUTH/WRONGPASS replies, and
/// the text StackExchange.Redis leaves for its background connect.
/// </summary>
public class FailureClassifierRuleTests
{
    private static string Reason(Exception e) => FailureClassifier.Reason(e).Label();

    [Theory]
    [InlineData("28P01", "auth")]  // invalid_password
    [InlineData("28000", "auth")]  // invalid_authorization_specification
    [InlineData("42P01", "error")] // undefined_table: the server answered, not an auth problem
    [InlineData("3D000", "error")] // invalid_catalog_name
    public void Postgres_sqlstate_class_28_is_auth_anything_else_error(string sqlState, string reason)
    {
        Assert.Equal(reason, Reason(new PostgresException("m", "FATAL", "FATAL", sqlState)));
    }

    [Theory]
    [InlineData("NOAUTH Authentication required.", "auth")]
    [InlineData("WRONGPASS invalid username-password pair or user is disabled.", "auth")]
    [InlineData("ERR unknown command", "error")]
    public void Redis_server_replies(string reply, string reason)
    {
        Assert.Equal(reason, Reason(new RedisServerException(reply)));
    }

    [Theory]
    [InlineData("It was not possible to connect to the redis server(s). Connection refused", "refused")]
    [InlineData("connect ECONNREFUSED", "refused")]
    [InlineData("No such host is known", "dns")]
    [InlineData("Name or service not known", "dns")]
    [InlineData("NOAUTH Authentication required", "auth")]
    [InlineData("WRONGPASS invalid", "auth")]
    [InlineData("AuthenticationFailure on 127.0.0.1:6379", "auth")]
    [InlineData("UnableToConnect on 127.0.0.1:6379", "refused")]
    [InlineData("SocketFailure on 127.0.0.1:6379", "refused")]
    [InlineData("The operation has timeout", "timeout")]
    [InlineData("Connection timed out", "timeout")]
    [InlineData("something else entirely", "error")]
    public void Text_left_by_a_background_connect(string message, string reason)
    {
        // As the multiplexer reports it: a plain exception wrapping another with the text.
        Assert.Equal(reason, Reason(new InvalidOperationException("not connected", new InvalidOperationException(message))));
    }

    [Fact]
    public void A_description_keeps_the_first_line_and_at_most_200_characters_of_the_message()
    {
        var d = FailureClassifier.Describe(FailureReason.Error, new InvalidOperationException(new string('x', 500) + "\nsecond line"), []);

        Assert.Equal("error: InvalidOperationException: " + new string('x', 200) + "…", d);
    }

    [Theory]
    [InlineData(ConnectionFailureType.AuthenticationFailure, "auth")]
    [InlineData(ConnectionFailureType.ProtocolFailure, "protocol")]
    [InlineData(ConnectionFailureType.UnableToResolvePhysicalConnection, "error")]
    public void A_redis_connection_failure_is_classified_by_its_failure_type_not_its_text(ConnectionFailureType type, string reason)
    {
        // A message that names nothing: only the failure type can decide.
        Assert.Equal(reason, Reason(new RedisConnectionException(type, "the connection failed")));
    }

    [Fact]
    public void A_redis_command_timeout_is_timeout_whatever_its_text()
    {
        Assert.Equal("timeout", Reason(new RedisTimeoutException("GET k, inst: 1, qs: 2", CommandStatus.Sent)));
    }

    [Theory]
    [InlineData(SocketError.TryAgain)]  // EAI_AGAIN: the resolver did not answer
    [InlineData(SocketError.NoData)]    // the name exists without an address
    [InlineData(SocketError.HostNotFound)]
    public void Every_resolver_failure_is_dns(SocketError error)
    {
        Assert.Equal("dns", Reason(new SocketException((int)error)));
    }

    [Theory]
    [InlineData(HttpRequestError.NameResolutionError, "dns")]
    [InlineData(HttpRequestError.SecureConnectionError, "tls")]
    [InlineData(HttpRequestError.InvalidResponse, "protocol")]
    [InlineData(HttpRequestError.ResponseEnded, "protocol")]
    [InlineData(HttpRequestError.Unknown, "error")]
    public void An_http_client_failure_is_classified_by_its_error_kind(HttpRequestError error, string reason)
    {
        Assert.Equal(reason, Reason(new HttpRequestException(error, "request failed")));
    }

    [Fact]
    public void The_first_recognised_failure_outermost_first_decides()
    {
        // A server that refused the password and a later attempt that timed out: the refusal is the cause.
        Assert.Equal("auth", Reason(new AggregateException(new RedisServerException("NOAUTH Authentication required."), new TimeoutException())));
        Assert.Equal("auth", Reason(new AggregateException(new RedisServerException("WRONGPASS invalid password"), new TimeoutException())));
        Assert.Equal("timeout", Reason(new AggregateException(new TimeoutException(), new RedisServerException("NOAUTH Authentication required."))));
        Assert.Equal("auth", Reason(new AggregateException(new PostgresException("m", "FATAL", "FATAL", "28P01"), new TimeoutException())));
        Assert.Equal("error", Reason(new AggregateException(new PostgresException("m", "ERROR", "ERROR", "42P01"), new TimeoutException())));
    }

    [Theory]
    [InlineData("CONNECTION REFUSED by peer", "refused")]
    [InlineData("No Such Host Is Known", "dns")]
    [InlineData("NAME OR SERVICE NOT KNOWN", "dns")]
    [InlineData("TIMEOUT awaiting response", "timeout")]
    [InlineData("Connect Timed Out", "timeout")]
    public void Words_in_a_message_are_matched_whatever_their_case(string message, string reason)
    {
        Assert.Equal(reason, Reason(new InvalidOperationException("not connected", new InvalidOperationException(message))));
    }

    [Theory]
    [InlineData(199, false)]
    [InlineData(200, false)]
    [InlineData(201, true)]
    public void Only_a_message_over_200_characters_is_cut(int length, bool cut)
    {
        var d = FailureClassifier.Describe(FailureReason.Error, new InvalidOperationException(new string('x', length)), []);

        Assert.Equal("error: InvalidOperationException: " + new string('x', Math.Min(length, 200)) + (cut ? "…" : ""), d);
    }

    [Fact]
    public void The_description_quotes_the_innermost_message_trimmed()
    {
        var e = new InvalidOperationException("outer", new IOException("  inner words  \nstack-ish second line"));

        Assert.Equal("refused: IOException: inner words", FailureClassifier.Describe(FailureReason.Refused, e, []));
    }

    [Fact]
    public void A_secret_is_cut_from_three_characters_and_a_secret_inside_another_goes_whole()
    {
        // Shorter secrets would shred ordinary words ("db", "1"); a secret that contains another
        // is cut whole, so no tail of it is left behind.
        Assert.Equal("x *** y", FailureClassifier.Scrub("x abc y", ["abc"]));
        Assert.Equal("x ab y", FailureClassifier.Scrub("x ab y", ["ab"]));
        Assert.Equal("k=v *** z", FailureClassifier.Scrub("k=v abcdefghij z", ["abcdef", "abcdefghij"]));
        Assert.Equal("k=v *** z", FailureClassifier.Scrub("k=v abcdefghij z", ["abcdefghij", "abcdef"]));
    }

    [Fact]
    public void A_password_assignment_keeps_its_key_and_loses_only_its_value()
    {
        Assert.Equal("Host=db;Password=***;User=x", FailureClassifier.Scrub("Host=db;Password=abc123;User=x", []));
        Assert.Equal("auth failed: pwd=***, token=***", FailureClassifier.Scrub("auth failed: pwd = s3cr3t, token=t0k", []));
    }

    [Fact]
    public void A_word_is_not_found_across_two_messages()
    {
        // "no time" then "out of retries": nothing timed out.
        Assert.Equal("error", Reason(new InvalidOperationException("no time", new InvalidOperationException("out of retries"))));
        Assert.Equal("timeout", Reason(new InvalidOperationException("no answer", new InvalidOperationException("timeout of retries"))));
    }

    [Fact]
    public void At_most_16_exceptions_of_a_chain_are_read()
    {
        // A pathological chain (or aggregate) cannot make classification walk forever.
        static Exception Nest(int depth)
        {
            Exception e = new SocketException((int)SocketError.ConnectionRefused);
            for (var i = 1; i < depth; i++)
            {
                e = new InvalidOperationException("wrap " + i.ToString(System.Globalization.CultureInfo.InvariantCulture), e);
            }

            return e;
        }

        Assert.Equal("refused", Reason(Nest(16)));
        Assert.Equal("error", Reason(Nest(17)));
    }
}
