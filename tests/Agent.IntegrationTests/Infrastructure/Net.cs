using System.Net;
using System.Net.Sockets;

namespace Agent.IntegrationTests.Infrastructure;

internal static class Net
{
    /// <summary>A loopback port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}

/// <summary>Polling with a deadline: the only way these tests wait for anything.</summary>
internal static class Poll
{
    public static async Task<T> Until<T>(Func<Task<T?>> attempt, TimeSpan deadline, string what, TimeSpan? every = null)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Exception? last = null;
        while (true)
        {
            try
            {
                var result = await attempt();
                if (result is not null)
                {
                    return result;
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException or System.Net.Sockets.SocketException or TaskCanceledException or InvalidOperationException)
            {
                last = e;
            }

            if (sw.Elapsed > deadline)
            {
                throw new TimeoutException($"{what}: not within {deadline.TotalSeconds:F1}s" + (last is null ? string.Empty : $" (last error: {last.Message})"));
            }

            await Task.Delay(every ?? TimeSpan.FromMilliseconds(50));
        }
    }

    public static Task Until(Func<Task<bool>> attempt, TimeSpan deadline, string what, TimeSpan? every = null) =>
        Until<object>(async () => await attempt() ? new object() : null, deadline, what, every);

    public static Task Until(Func<bool> attempt, TimeSpan deadline, string what, TimeSpan? every = null) =>
        Until(() => Task.FromResult(attempt()), deadline, what, every);
}
