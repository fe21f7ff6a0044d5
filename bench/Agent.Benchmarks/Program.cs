using BenchmarkDotNet.Running;

namespace Agent.Benchmarks;

/// <summary>
/// dotnet run -c Release --project bench/Agent.Benchmarks -- --filter '*' [--job short]
/// (a named entry point: the agent's own top-level <c>Program</c> is what the scrape benchmark hosts).
/// </summary>
public static class BenchmarkMain
{
    public static void Main(string[] args)
    {
        if (args is ["container-cost", ..])
        {
            ContainerTickCost.Run(args); // a CPU-time harness, not BenchmarkDotNet (see the class)
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkMain).Assembly).Run(args);
    }
}
