using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.RegularExpressions;
using Npgsql;
using StackExchange.Redis;

namespace Agent.Probes;

/// <summary>
/// Turns a client library's exception into a <see cref="FailureReason"/> and a short description
/// that is safe to show: known secrets are cut out, and so is anything that looks like
/// <c>password=...</c>.
/// </summary>
internal static partial class FailureClassifier
{
    public static ProbeOutcome Classify(Exception e, IReadOnlyCollection<string> secrets)
    {
        var reason = Reason(e);
        return ProbeOutcome.Failed(reason, Describe(reason, e, secrets));
    }

    public static FailureReason Reason(Exception e)
    {
        foreach (var x in Chain(e))
        {
            switch (x)
            {
                case PostgresException pg when pg.SqlState.StartsWith("28", StringComparison.Ordinal):
                    return FailureReason.Auth; // invalid_authorization_specification, invalid_password
                case PostgresException:
                    return FailureReason.Error;
                case RedisConnectionException { FailureType: ConnectionFailureType.AuthenticationFailure }:
                    return FailureReason.Auth;
                case RedisServerException rs when rs.Message.StartsWith("NOAUTH", StringComparison.Ordinal) || rs.Message.StartsWith("WRONGPASS", StringComparison.Ordinal):
                    return FailureReason.Auth;
                case RedisConnectionException { FailureType: ConnectionFailureType.ProtocolFailure }:
                    return FailureReason.Protocol;
                case SocketException s:
                    return s.SocketErrorCode switch
                    {
                        SocketError.ConnectionRefused => FailureReason.Refused,
                        SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => FailureReason.Dns,
                        SocketError.TimedOut => FailureReason.Timeout,
                        _ => FailureReason.Error,
                    };
                case HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError }:
                    return FailureReason.Dns;
                case HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError }:
                    return FailureReason.Tls;
                case HttpRequestException { HttpRequestError: HttpRequestError.InvalidResponse or HttpRequestError.ResponseEnded }:
                    return FailureReason.Protocol;
                case AuthenticationException:
                    return FailureReason.Tls; // handshake or certificate validation
                case TimeoutException or OperationCanceledException or RedisTimeoutException:
                    return FailureReason.Timeout;
                default:
                    break;
            }
        }

        // StackExchange.Redis reports the socket failure of its background connect only as text.
        var text = string.Join(" | ", Chain(e).Select(x => x.Message));
        if (text.Contains("Connection refused", StringComparison.OrdinalIgnoreCase) || text.Contains("ECONNREFUSED", StringComparison.Ordinal))
        {
            return FailureReason.Refused;
        }

        if (text.Contains("No such host", StringComparison.OrdinalIgnoreCase) || text.Contains("Name or service not known", StringComparison.OrdinalIgnoreCase))
        {
            return FailureReason.Dns;
        }

        if (text.Contains("NOAUTH", StringComparison.Ordinal) || text.Contains("WRONGPASS", StringComparison.Ordinal) || text.Contains("AuthenticationFailure", StringComparison.Ordinal))
        {
            return FailureReason.Auth;
        }

        if (text.Contains("UnableToConnect", StringComparison.Ordinal) || text.Contains("SocketFailure", StringComparison.Ordinal))
        {
            return FailureReason.Refused;
        }

        if (text.Contains("timeout", StringComparison.OrdinalIgnoreCase) || text.Contains("timed out", StringComparison.OrdinalIgnoreCase))
        {
            return FailureReason.Timeout;
        }

        return FailureReason.Error;
    }

    /// <summary>A one-line description: the reason in words and the innermost message, scrubbed.</summary>
    public static string Describe(FailureReason reason, Exception e, IReadOnlyCollection<string> secrets)
    {
        var inner = Chain(e).Last();
        var message = inner.Message.Split('\n', 2)[0].Trim();
        if (message.Length > 200)
        {
            message = message[..200] + "…";
        }

        return Scrub($"{reason.Label()}: {inner.GetType().Name}: {message}", secrets);
    }

    /// <summary>Removes every known secret and anything shaped like a password assignment.</summary>
    public static string Scrub(string text, IReadOnlyCollection<string> secrets)
    {
        foreach (var s in secrets.Where(s => s.Length >= 3).OrderByDescending(s => s.Length))
        {
            text = text.Replace(s, "***", StringComparison.Ordinal);
        }

        return PasswordAssignment().Replace(text, "${key}=***");
    }

    private static IEnumerable<Exception> Chain(Exception e)
    {
        var queue = new Queue<Exception>();
        queue.Enqueue(e);
        var seen = 0;
        while (queue.Count > 0 && seen++ < 16)
        {
            var x = queue.Dequeue();
            yield return x;
            if (x is AggregateException agg)
            {
                foreach (var i in agg.InnerExceptions)
                {
                    queue.Enqueue(i);
                }
            }
            else if (x.InnerException is { } inner)
            {
                queue.Enqueue(inner);
            }
        }
    }

    [GeneratedRegex(@"(?<key>password|pwd|pass|secret|token)\s*=\s*[^;,\s]*", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordAssignment();
}
