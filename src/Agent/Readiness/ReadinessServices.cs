using Agent.Configuration;

namespace Agent.Readiness;

/// <summary>Registers the /ready rule over the target snapshot and the probe results.</summary>
internal static class ReadinessServices
{
    public static IServiceCollection AddReadiness(this IServiceCollection services, ReadinessOptions readiness)
    {
        services.AddSingleton(readiness);
        services.AddSingleton<ReadinessEvaluator>();
        return services;
    }
}
