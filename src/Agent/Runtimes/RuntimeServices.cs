using Agent.Configuration;
using Agent.Runtimes.Python;

namespace Agent.Runtimes;

/// <summary>Registers the targets' runtime counters: one EventPipe session per .NET target, and federation of each target's own /metrics.</summary>
internal static class RuntimeServices
{
    public static IServiceCollection AddRuntimeCounters(this IServiceCollection services, RuntimeSettings runtime, IReadOnlyList<FederationEndpoint> federation)
    {
        services.AddSingleton(runtime);
        services.AddSingleton(federation);
        services.AddSingleton<RuntimeStore>();
        services.AddSingleton<DotnetTargetSessionFactory>();
        services.AddHostedService<DotnetRuntimeService>();
        services.AddHostedService<FederationService>();
        services.AddSingleton<PythonGcStore>();
        services.AddHostedService<PythonRuntimeService>();
        return services;
    }
}
