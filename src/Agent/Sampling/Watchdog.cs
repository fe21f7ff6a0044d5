using Microsoft.Extensions.Hosting.Systemd;

namespace Agent.Sampling;

/// <summary>
/// Feeds systemd's watchdog (<c>WatchdogSec=</c>) from the sampling loop: each completed tick
/// sends <c>WATCHDOG=1</c>, so a hung loop stops the pings and systemd restarts the agent, the
/// same rule /health applies for the kubelet. Does nothing unless systemd asked for a watchdog
/// (<c>NOTIFY_SOCKET</c> and <c>WATCHDOG_USEC</c> set).
/// </summary>
internal sealed class Watchdog
{
    private static readonly ServiceState Ping = new("WATCHDOG=1");
    private readonly SystemdNotifier? _notifier;

    public Watchdog()
    {
        var notifier = new SystemdNotifier();
        _notifier = notifier.IsEnabled && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WATCHDOG_USEC")) ? notifier : null;
    }

    public void Pet() => _notifier?.Notify(Ping);
}
