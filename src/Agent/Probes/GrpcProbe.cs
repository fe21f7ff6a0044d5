using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Agent.Configuration;

namespace Agent.Probes;

/// <summary>
/// The standard gRPC health check, <c>grpc.health.v1.Health/Check</c>, as one HTTP/2 exchange on
/// the probe's long-lived HttpClient: plaintext HTTP/2 with prior knowledge (h2c) for
/// <c>http://</c>, TLS with the same trust options as an http probe for <c>https://</c>.
/// </summary>
/// <remarks>
/// Hand-encoded rather than through Grpc.Net.Client + Grpc.HealthCheck: the request is one
/// string field and the response one enum field, and those packages (with Google.Protobuf) add
/// to the native binary — which is resident as a whole — 1.64 MiB for two fields (measured:
/// scripts/publish-native.sh with and without them, 28,640,768 → 30,355,984 bytes, a call to
/// Health.HealthClient.CheckAsync kept reachable). <c>SERVING</c> is healthy; <c>NOT_SERVING</c>, <c>UNKNOWN</c> and a
/// service the server does not know (<c>NOT_FOUND</c>) fail with <c>unhealthy</c>.
/// </remarks>
internal sealed class GrpcProbe : IProbe
{
    private const int MaxResponseBytes = 64 * 1024;

    private readonly HttpClient _client;
    private readonly TlsValidation _tls;
    private readonly Uri _method;
    private readonly byte[] _request;

    public GrpcProbe(ProbeDefinition definition)
    {
        Definition = definition;
        _tls = new TlsValidation(definition.CaCertificates);
        var handler = ProbeHttpHandler.Create(definition, _tls);
        handler.EnableMultipleHttp2Connections = false;
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        var credentials = UrlCredentials.Of(definition.Url!); // sent as Basic authentication, as by the http probe
        _client.DefaultRequestHeaders.Authorization = credentials.Authorization;
        _method = new Uri(credentials.Url, "/grpc.health.v1.Health/Check");
        _request = Frame(Request(definition.Service ?? string.Empty));
        Secrets = credentials.Secrets;
    }

    public ProbeDefinition Definition { get; }

    public IReadOnlyCollection<string> Secrets { get; }

    public async Task<ProbeOutcome> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            return WithCertificate(await ExchangeAsync(cancellationToken));
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            return WithCertificate(_tls.Explain(FailureClassifier.Classify(e, Secrets)));
        }
    }

    private async Task<ProbeOutcome> ExchangeAsync(CancellationToken cancellationToken)
    {
        // SendAsync takes the message's version, not the client's default: HTTP/2 only (h2c with
        // prior knowledge on http://, ALPN on https://).
        using var message = new HttpRequestMessage(HttpMethod.Post, _method)
        {
            Content = new ByteArrayContent(_request),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        message.Headers.TryAddWithoutValidation("te", "trailers");
        using var response = await _client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return ProbeOutcome.Failed(FailureReason.Protocol, $"protocol: HTTP {(int)response.StatusCode} instead of a gRPC answer");
        }

        var body = await ReadBounded(response.Content, cancellationToken);
        // grpc-status arrives in the trailers, or in the headers of a trailers-only answer.
        var status = Header(response.TrailingHeaders, "grpc-status") ?? Header(response.Headers, "grpc-status");
        var text = Header(response.TrailingHeaders, "grpc-message") ?? Header(response.Headers, "grpc-message");
        if (status is null)
        {
            return ProbeOutcome.Failed(FailureReason.Protocol, "protocol: no grpc-status in the answer");
        }

        if (status != "0")
        {
            var what = $"gRPC status {status}{(text is null ? string.Empty : $" ({Uri.UnescapeDataString(text)})")}";
            return status switch
            {
                "5" => ProbeOutcome.Failed(FailureReason.Unhealthy, $"unhealthy: the server does not know service '{Definition.Service}': {what}"),
                "12" => ProbeOutcome.Failed(FailureReason.Protocol, $"protocol: the server has no health service: {what}"),
                "7" or "16" => ProbeOutcome.Failed(FailureReason.Auth, $"auth: {what}"),
                "4" => ProbeOutcome.Failed(FailureReason.Timeout, $"timeout: {what}"),
                _ => ProbeOutcome.Failed(FailureReason.Error, $"error: {what}"),
            };
        }

        if (!TryServingStatus(body, out var serving))
        {
            return ProbeOutcome.Failed(FailureReason.Protocol, "protocol: malformed HealthCheckResponse");
        }

        var data = new Dictionary<string, string> { ["status"] = StatusName(serving) };
        return serving == 1
            ? ProbeOutcome.Ok("SERVING", data)
            : ProbeOutcome.Failed(FailureReason.Unhealthy, $"unhealthy: {StatusName(serving)}", data);
    }

    private ProbeOutcome WithCertificate(ProbeOutcome outcome) =>
        Definition.Url!.Scheme == Uri.UriSchemeHttps ? outcome with { CertificateNotAfter = _tls.LastNotAfter } : outcome;

    private static string StatusName(long status) => status switch
    {
        0 => "UNKNOWN",
        1 => "SERVING",
        2 => "NOT_SERVING",
        3 => "SERVICE_UNKNOWN",
        _ => $"status {status}",
    };

    private static string? Header(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static async Task<byte[]> ReadBounded(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxResponseBytes];
        var have = 0;
        int n;
        while (have < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(have), cancellationToken)) > 0)
        {
            have += n;
        }

        return buffer[..have];
    }

    /// <summary><c>HealthCheckRequest { string service = 1; }</c>: tag 0x0A, varint length, UTF-8 bytes.</summary>
    internal static byte[] Request(string service)
    {
        var bytes = Encoding.UTF8.GetBytes(service);
        if (bytes.Length == 0)
        {
            return []; // proto3 omits a default (empty) string
        }

        var message = new List<byte> { 0x0A };
        WriteVarint(message, (ulong)bytes.Length);
        message.AddRange(bytes);
        return [.. message];
    }

    /// <summary>gRPC's length-prefixed message: a compressed flag (0) and a big-endian 4-byte length.</summary>
    internal static byte[] Frame(byte[] message)
    {
        var framed = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)message.Length);
        message.CopyTo(framed, 5);
        return framed;
    }

    /// <summary>
    /// Reads <c>HealthCheckResponse { ServingStatus status = 1; }</c> from one framed message;
    /// unknown fields are skipped as protobuf requires, an absent status is 0 (UNKNOWN).
    /// </summary>
    internal static bool TryServingStatus(ReadOnlySpan<byte> framed, out long status)
    {
        status = 0;
        if (framed.Length < 5 || framed[0] != 0)
        {
            return false; // too short, or compressed (never asked for)
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(framed[1..]);
        if (length > framed.Length - 5)
        {
            return false;
        }

        var message = framed.Slice(5, (int)length);
        var i = 0;
        while (i < message.Length)
        {
            if (!TryVarint(message, ref i, out var key))
            {
                return false;
            }

            var field = key >> 3;
            switch (key & 7)
            {
                case 0:
                    if (!TryVarint(message, ref i, out var value))
                    {
                        return false;
                    }

                    if (field == 1)
                    {
                        status = (long)value;
                    }

                    break;
                case 2:
                    if (!TryVarint(message, ref i, out var size) || size > (ulong)(message.Length - i))
                    {
                        return false;
                    }

                    i += (int)size;
                    break;
                case 1:
                    i += 8;
                    break;
                case 5:
                    i += 4;
                    break;
                default:
                    return false;
            }
        }

        return i == message.Length;
    }

    private static bool TryVarint(ReadOnlySpan<byte> data, ref int i, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64 && i < data.Length; shift += 7)
        {
            var b = data[i++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }

    private static void WriteVarint(List<byte> into, ulong value)
    {
        while (value >= 0x80)
        {
            into.Add((byte)(value | 0x80));
            value >>= 7;
        }

        into.Add((byte)value);
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
