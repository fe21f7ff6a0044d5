using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Agent.Check;

/// <summary>
/// Would the agent be able to listen where it is configured to? Each address is bound (not
/// listened on) for an instant and released: no connection can reach the agent during a check.
/// </summary>
internal static partial class ListenCheck
{
    /// <summary>The addresses Kestrel would use: <c>urls</c> (--urls, ASPNETCORE_URLS), else HTTP_PORTS, else Kestrel:Endpoints, else the agent's default.</summary>
    public static IReadOnlyList<string> Urls(IConfiguration configuration, string defaultUrl)
    {
        if (configuration["urls"] is { Length: > 0 } urls)
        {
            return urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        if (configuration["http_ports"] is { Length: > 0 } ports)
        {
            return [.. ports.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => $"http://*:{p}")];
        }

        var endpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>().ToList();
        return endpoints.Count > 0 ? endpoints : [defaultUrl];
    }

    public static ListenFinding Check(string url)
    {
        var m = UrlPattern().Match(url);
        if (!m.Success)
        {
            return new(CheckStatus.Failed, url, "not an address Kestrel can listen on (expected http://host:port)");
        }

        if (m.Groups["host"].Value == "unix")
        {
            return new(CheckStatus.Ok, url, "a Unix socket: not checked");
        }

        var port = m.Groups["port"].Success
            ? int.Parse(m.Groups["port"].Value, CultureInfo.InvariantCulture)
            : m.Groups["scheme"].Value.Equals("https", StringComparison.OrdinalIgnoreCase) ? 443 : 80;
        if (port > 65535)
        {
            return new(CheckStatus.Failed, url, "port out of range");
        }

        var address = Address(m.Groups["host"].Value.Trim('[', ']'));
        try
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            // As Kestrel binds: a port left in TIME_WAIT by the previous run is free, a listener is not.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(address, port));
            return new(CheckStatus.Ok, url, port == 0 ? "free (port 0: the kernel picks one)" : string.Create(CultureInfo.InvariantCulture, $"free: {address}:{port}"));
        }
        catch (SocketException e)
        {
            var detail = e.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => string.Create(CultureInfo.InvariantCulture, $"taken: another process listens on {address}:{port}; choose another port with --urls (or ASPNETCORE_URLS)"),
                SocketError.AddressNotAvailable => $"{address} is not an address of this host",
                SocketError.AccessDenied => string.Create(CultureInfo.InvariantCulture, $"permission denied: port {port} is below 1024 (needs CAP_NET_BIND_SERVICE); use 9464"),
                _ => $"cannot bind: {e.SocketErrorCode}",
            };
            return new(CheckStatus.Failed, url, detail);
        }
    }

    /// <summary>Kestrel's rules: <c>*</c>, <c>+</c> and host names other than localhost mean every interface.</summary>
    private static IPAddress Address(string host) => host switch
    {
        "localhost" => IPAddress.Loopback,
        _ when IPAddress.TryParse(host, out var ip) => ip,
        _ => IPAddress.Any,
    };

    [GeneratedRegex(@"^(?<scheme>https?)://(?<host>\[[^\]]+\]|[^:/]+)(:(?<port>\d{1,6}))?(/.*)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UrlPattern();
}
