using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Agent.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Agent.Benchmarks.SamplingBenchmarks).Assembly).Run(args);
