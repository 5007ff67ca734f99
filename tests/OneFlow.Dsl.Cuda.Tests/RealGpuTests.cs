using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using OneFlow.Dsl.Planner;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Runtime;
using Xunit;

namespace OneFlow.Dsl.Cuda.Tests
{
    /// <summary>A fact that runs only where ILGPU finds a CUDA GPU, and is skipped with that reason elsewhere.</summary>
    public sealed class NeedsGpuFactAttribute : FactAttribute
    {
        private static readonly Lazy<bool> HasGpu = new Lazy<bool>(() =>
        {
            using var context = Context.Create(b => b.Cuda());
            return context.Devices.Any(d => d.AcceleratorType == AcceleratorType.Cuda);
        });

        public NeedsGpuFactAttribute()
        {
            if (!HasGpu.Value) Skip = "No CUDA GPU on this machine (ILGPU lists none); the same kernels are checked on ILGPU's CPU simulator.";
        }
    }

    /// <summary>On a real GPU: whole plans at the sample's real sizes give the CPU's losses, and the Mnist sample
    /// reaches its accuracy with <c>--device cuda</c>.</summary>
    public class RealGpuTests
    {
        [NeedsGpuFact]
        public void The_mnist_network_at_full_size_trains_like_the_cpu()
        {
            var spec = new NetworkSpec("Mlp", 64, "cuda:0-3",
                new EquatableArray<TensorDecl>(new[] { W("w1", "S(1)", 784, 512), W("b1", "S(0)", 512), W("w2", "S(0)", 512, 10), W("b2", null, 10) }),
                new EquatableArray<TensorDecl>(new[] { new TensorDecl("x", DeclKind.Input, new EquatableArray<int>(new[] { 784 }), "S(0)") }),
                new EquatableArray<OpDecl>(new[] { Op("t0", "MatMul", "x", "w1"), Op("t1", "Add", "t0", "b1"), Op("h", "Relu", "t1"), Op("t2", "MatMul", "h", "w2"), Op("y", "Add", "t2", "b2") }),
                "y", NetworkSpec.DefaultLoss("y"), "loss");
            using var gpu = GpuContext.Create(allowSimulator: false);
            var kernels = new Kernels.GpuKernels(gpu.Accelerator);
            float[] Losses(IPlanSession session)
            {
                session.LearningRate = 0.1f;
                var random = new Random(3);
                foreach (var w in session.Plan.Weights)
                    session.Write(w.Id, Enumerable.Range(0, (int)w.Shape.Elements).Select(_ => (float)(random.NextDouble() - 0.5) * 0.1f).ToArray());
                int x = session.Plan.Tensors.Single(t => t.Name == "x").Id, labels = session.Plan.Tensors.Single(t => t.Name == "labels").Id;
                return Enumerable.Range(0, 10).Select(step =>
                {
                    session.Feed(x, Enumerable.Range(0, 64 * 784).Select(i => (float)Math.Sin(i * 0.01 + step)).ToArray());
                    session.Feed(labels, Enumerable.Range(0, 64).Select(i => (i * 7 + step) % 10).ToArray());
                    session.Run();
                    return session.ReadScalar(session.Plan.Output);
                }).ToArray();
            }
            float[] cpu, onGpu;
            using (var s = new PlanSession(NetworkPlanner.Compile(spec with { Placement = "cpu:0-3" }, PlanMode.Train))) cpu = Losses(s);
            using (var s = new GpuPlanSession(NetworkPlanner.Compile(spec, PlanMode.Train), gpu, kernels)) onGpu = Losses(s);
            for (int i = 0; i < cpu.Length; i++) Assert.True(Math.Abs(cpu[i] - onGpu[i]) <= 1e-4 * Math.Max(1, Math.Abs(cpu[i])), $"step {i}: CPU {cpu[i]}, GPU {onGpu[i]}");
        }

        [NeedsGpuFact]
        public void Mnist_sample_reaches_95_percent_on_cuda()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (!File.Exists(Path.Combine(dir!.FullName, "OneFlow.Dsl.sln"))) dir = dir.Parent;
            string data = Environment.GetEnvironmentVariable("ONEFLOW_DATA") is { Length: > 0 } d ? d : Path.Combine(dir.FullName, "..", "shared", "data");
            string dll = Path.Combine(dir.FullName, "samples", "Mnist", "bin", "Release", "net10.0", "Mnist.dll");
            var info = new ProcessStartInfo("dotnet", $"\"{dll}\" --device cuda --data \"{Path.Combine(data, "mnist")}\" --epochs 10")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(info)!;
            string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, output);
            string last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith("test accuracy: ", StringComparison.Ordinal));
            Assert.True(double.Parse(last["test accuracy: ".Length..], System.Globalization.CultureInfo.InvariantCulture) >= 0.95, output);
        }

        private static TensorDecl W(string name, string? sbp, params int[] dims) => new TensorDecl(name, DeclKind.Weight, new EquatableArray<int>(dims), sbp);
        private static OpDecl Op(string output, string op, params string[] inputs) => new OpDecl(output, op, new EquatableArray<string>(inputs));
    }
}
