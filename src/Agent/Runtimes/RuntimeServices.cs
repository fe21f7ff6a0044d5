using Agent.Configuration;

namespace Agent.Runtimes;

/// <summary>Registers the target's runtime counters: the EventPipe session (.NET) and federation of its own /metrics.</summary>
internal static class RuntimeServices
{
    public static IServiceCollection AddRuntimeCounters(this IServiceCollection services, RuntimeSettings runtime)
    {
        services.AddSingleton(runtime);
        services.AddSingleton<RuntimeStore>();
        services.AddHostedService<DotnetRuntimeService>();
        services.AddHostedService<FederationService>();
        return services;
    }
}
