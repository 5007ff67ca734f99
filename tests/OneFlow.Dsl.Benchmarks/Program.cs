using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/OneFlow.Dsl.Benchmarks -- --filter '*Sgemm1024*' --job short
// dotnet run -c Release --project tests/OneFlow.Dsl.Benchmarks -- --filter '*MlpTrainStep*' --job short
// dotnet run -c Release --project tests/OneFlow.Dsl.Benchmarks -- --filter '*GptStartup*' --job short
// dotnet run -c Release --project tests/OneFlow.Dsl.Benchmarks -- --filter '*MlpInferOne*' --job short   (peer: bench/torch_infer_peer.py)
// dotnet run -c Release --project tests/OneFlow.Dsl.Benchmarks -- --filter '*ConvTrainStep*' --job short (peer: bench/torch_cnn_peer.py)
// dotnet run -c Release --project tests/OneFlow.Dsl.Benchmarks -- --filter '*ActorOverhead*' --job short (peer: bench/torch_tiny_peer.py)
// dotnet run -c Release --project tests/OneFlow.Dsl.Benchmarks -- --filter '*GptTrainStep*' --job short  (peer: bench/torch_gpt_peer.py)
// dotnet run -c Release --project tests/OneFlow.Dsl.Benchmarks -- --filter '*RecomputationStep*' --job short
System.Console.WriteLine(LoadAverage.Line());
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
