using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/OneFlow.Dsl.Generators.Benchmarks -- --filter '*' --job short
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
