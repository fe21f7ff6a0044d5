using Agent.Configuration;
using Agent.Diagnostics;
using Agent.Diagnostics.Dotnet;
using Agent.Diagnostics.Python;

namespace Agent.Profiling;

/// <summary>Composition of continuous profiling: profiles show code names, so like every /diag route they need diagnostics on (a token).</summary>
internal static class ProfilingServices
{
    public static void AddProfiling(this IServiceCollection services, DiagnosticsSettings diagnostics, ProfilingSettings settings)
    {
        services.AddSingleton(settings);
        if (!diagnostics.Enabled)
        {
            return;
        }

        services.AddSingleton(sp => new ProfileStore(settings, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new TargetProfiler(
            sp.GetRequiredService<DiagnosticTargets>(), sp.GetRequiredService<TargetRuntime>(), sp.GetRequiredService<DotnetChannel>(), sp.GetRequiredService<PythonHookTargets>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ICapture, ProfileCapture>();
        if (settings.PushUrl is not null)
        {
            services.AddSingleton<ProfilePusher>();
            services.AddHostedService(sp => sp.GetRequiredService<ProfilePusher>());
        }

        services.AddHostedService<ProfilingService>();
    }
}
