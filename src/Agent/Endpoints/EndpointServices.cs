using Agent.Common;

namespace Agent.Endpoints;

/// <summary>Registers what the HTTP endpoints need beyond the features' stores: the bearer token.</summary>
internal static class EndpointServices
{
    public static IServiceCollection AddAgentEndpoints(this IServiceCollection services, Secret? metricsToken)
    {
        services.AddSingleton(new BearerToken(metricsToken?.Reveal()));
        return services;
    }
}
