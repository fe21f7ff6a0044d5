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
    [Theory]
    [InlineData("28P01", "auth")]  // invalid_password
    [InlineData("28000", "auth")]  // invalid_authorization_specification
    [InlineData("42P01", "error")] // undefined_table: the server answered, not an auth problem
    [InlineData("3D000", "error")] // invalid_catalog_name
    public void Postgres_sqlstate_class_28_is_auth_anything_else_error(string sqlState, string reason)
    {
        Assert.Equal(reason, FailureClassifier.Reason(new PostgresException("m", "FATAL", "FATAL", sqlState)));
    }

    [Theory]
    [InlineData("NOAUTH Authentication required.", "auth")]
    [InlineData("WRONGPASS invalid username-password pair or user is disabled.", "auth")]
    [InlineData("ERR unknown command", "error")]
    public void Redis_server_replies(string reply, string reason)
    {
        Assert.Equal(reason, FailureClassifier.Reason(new RedisServerException(reply)));
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
        Assert.Equal(reason, FailureClassifier.Reason(new InvalidOperationException("not connected", new InvalidOperationException(message))));
    }

    [Fact]
    public void A_description_keeps_the_first_line_and_at_most_200_characters_of_the_message()
    {
        var d = FailureClassifier.Describe("error", new InvalidOperationException(new string('x', 500) + "\nsecond line"), []);

        Assert.Equal("error: InvalidOperationException: " + new string('x', 200) + "…", d);
    }
}
