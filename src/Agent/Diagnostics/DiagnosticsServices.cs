using Agent.Configuration;
using Agent.Diagnostics.Dotnet;
using Agent.Diagnostics.Heap;
using Agent.Diagnostics.Python;
using Agent.Diagnostics.Snapshot;
using Agent.Procfs;
using Agent.Sampling;
using Agent.Triggers;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Agent.Diagnostics;

/// <summary>Composition of the diagnostics feature: nothing is registered or mapped while it is off.</summary>
internal static class DiagnosticsServices
{
    public static void AddDiagnostics(this IServiceCollection services, DiagnosticsSettings settings)
    {
        services.AddSingleton(settings);
        if (!settings.Enabled)
        {
            return;
        }

        services.AddSingleton(sp => new DiagnosticTargets(sp.GetRequiredService<TargetSnapshotStore>()));
        services.AddSingleton(sp => new TargetRuntime(sp.GetRequiredService<ProcFs>()));
        services.AddSingleton(sp => new ArtifactStore(settings, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<CaptureTotals>();
        services.AddSingleton<ProcessSnapshotReader>();
        services.AddSingleton<ICapture, SnapshotCapture>();
        services.AddSingleton<DotnetChannel>();
        services.AddSingleton(sp => new PythonStacks(sp.GetRequiredService<ProcFs>(), settings.StacksDirectory));
        services.AddSingleton<ICapture, DumpCapture>();
        services.AddSingleton<ICapture, TraceCapture>();
        services.AddSingleton<ICapture, StacksCapture>();
        services.AddSingleton(sp => new PythonHookTargets(sp.GetRequiredService<ProcFs>()));
        services.AddSingleton<PythonHookStacks>();
        services.AddSingleton<DotnetHeapGrowth>();
        services.AddSingleton<PythonHeapGrowth>();
        services.AddSingleton<ICapture, HeapCapture>();
        services.AddSingleton<CaptureService>();
        services.AddSingleton<DiagnosticsCapabilities>();
        // Order-independent: replaces the triggers' "no capture service" seam whichever was added first.
        services.Replace(ServiceDescriptor.Singleton<ICaptureStarter, ArtifactCaptureStarter>());
    }

    public static void UseDiagnostics(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<DiagnosticsSettings>().Enabled)
        {
            return;
        }

        var store = app.Services.GetRequiredService<ArtifactStore>();
        try
        {
            store.Open();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            DiagnosticsLog.DirectoryUnusable(app.Logger, store.Directory, e.Message);
        }

    }
}
