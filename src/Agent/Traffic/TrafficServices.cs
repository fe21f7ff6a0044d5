using Agent.Configuration;

namespace Agent.Traffic;

/// <summary>Registers the target's traffic: the store the .NET sessions and the StatsD listener publish to, and the listener (off unless <c>Traffic:StatsdPort</c>).</summary>
internal static class TrafficServices
{
    public static IServiceCollection AddTraffic(this IServiceCollection services, TrafficSettings traffic)
    {
        services.AddSingleton(traffic);
        services.AddSingleton<TrafficStore>();
        services.AddSingleton<StatsdCounters>();
        services.AddSingleton<SenderAttribution>();
        services.AddHostedService<StatsdListener>();
        return services;
    }
}
