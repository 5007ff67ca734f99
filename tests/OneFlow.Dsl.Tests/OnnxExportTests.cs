using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OneFlow.Dsl.Planner;
using OneFlow.Dsl.Planner.Onnx;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using Xunit;
using static OneFlow.Dsl.Ops;

namespace OneFlow.Dsl.Tests
{
    /// <summary>The ops no other exported network uses, in one: slices and concatenation, negation, division, the
    /// reciprocal, the maximum, dropout (gone when evaluating), every loss and a bag of lookups, added to the output.</summary>
    [Network(Batch = 4)]
    [Placement("cpu:0-1")]
    public partial class ExportZoo
    {
        [Weight(6, 8)] Tensor w;
        [Weight(8, 4)] Tensor head;
        [Weight(4, 4)] Tensor bags;

        public Tensor Forward([Input(6)] Tensor x, [Input(4)] Tensor target, [Input(2), Ids] Tensor ids)
        {
            var h = MatMul(x, w);
            var swapped = Concat(Slice(h, 1, 4, 4), -Slice(h, 1, 0, 4), 1);
            var y = MatMul(Dropout(swapped / (Abs(h) + 1f), 0.5), head);
            var logits = Reshape(h, -1, 2, 4);
            var losses = MseLoss(y, target) + L1Loss(y, target) + BceWithLogitsLoss(y, Sigmoid(target)) + SoftmaxCrossEntropy(logits, ids);
            return y * 2f / (Square(y) + 1f) + Concat(Max(logits), Max(logits), 1) + losses + EmbeddingBag(ids, bags, BagMode.Mean);
        }
    }

    /// <summary>Every network exported to ONNX and run by ONNX Runtime gives <c>Infer</c>'s outputs, at batch 1 and 5
    /// (the batch axis is open), within 1e-5 of their largest magnitude; Debian's onnx checker accepts every file.</summary>
    public class OnnxExportTests
    {
        private static readonly Dictionary<string, Func<object>> Networks = new()
        {
            ["Mlp"] = () => new Mlp(seed: 1),
            ["MathNet"] = () => new MathNet(seed: 2),
            ["RowOpsNet"] = () => new RowOpsNet(seed: 3),
            ["Bag"] = () => new Bag(seed: 4),
            ["DropoutNet"] = () => new DropoutNet(seed: 5),
            ["TinyGpt"] = () => new TinyGpt(seed: 6),
            ["DenseStack"] = () => new DenseStack(seed: 7),
            ["Regression"] = () => new Regression(seed: 8),
            ["VisionNet"] = () => new VisionNet(seed: 9),
            ["ConvNet"] = () => new ConvNet(seed: 10),
            ["CharGpt"] = () => new Gpt.CharGpt(seed: 11),
            ["ExportZoo"] = () => new ExportZoo(seed: 12),
            ["ActivationNet"] = () => new ActivationNet(seed: 13),
            ["PoolNet"] = () => new PoolNet(seed: 14),
            ["EncoderDecoderNet"] = () => new EncoderDecoderNet(seed: 15),
        };

        public static IEnumerable<object[]> Names => Networks.Keys.Select(n => new object[] { n });

        [Theory]
        [MemberData(nameof(Names))]
        public void Onnx_runtime_gives_the_outputs_of_infer_at_batch_1_and_5(string name)
        {
            var model = Create(name);
            string path = Path.Combine(Path.GetTempPath(), $"of-{name}-{Guid.NewGuid():N}.onnx");
            try
            {
                Export(model, path);
                using var session = new InferenceSession(path);
                foreach (int rows in new[] { 1, 5 })
                {
                    var inputs = SpecOf(model).Inputs.Select((x, i) => Input(x, rows, seed: 100 * rows + i)).ToArray();
                    float[] ours = Infer(model, inputs.Select(x => x.Ours).ToArray()).ToArray();
                    using var results = session.Run(inputs.Select(x => x.Theirs).ToList());
                    float[] theirs = results.Single().AsTensor<float>().ToArray();
                    TorchPeer.Close($"{name} at batch {rows}", ours, theirs);
                }
            }
            finally { File.Delete(path); }
        }

        [Fact]
        public void The_exported_networks_use_every_op_a_user_writes()
        {
            var used = Networks.Values.SelectMany(create => PlanOf(create())).ToHashSet();
            var userOps = Enum.GetValues<OpKind>().Select(OpRegistry.Get)
                .Where(d => d.UserName != null && d is not CompositeOp && !d.IsIdentityWhenInferring).Select(d => d.Kind);
            Assert.Empty(userOps.Except(used));
            Assert.Contains(OpKind.MaxPoolArgmax, used);
            Assert.Contains(OpKind.BatchNorm, used);
        }

        [Fact]
        public void The_file_is_an_onnx_model_of_opset_17_with_the_weights_named_as_in_safetensors()
        {
            var model = new Mlp(seed: 1);
            string path = Path.Combine(Path.GetTempPath(), $"of-mlp-{Guid.NewGuid():N}.onnx");
            try
            {
                model.ExportOnnx(path);
                var onnx = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
                Assert.Equal(17, onnx.OpsetImport.Single().Version);
                Assert.Equal(new[] { "w1", "b1", "w2", "b2" }, onnx.Graph.Initializer.Take(4).Select(t => t.Name));
                Assert.Equal("batch", onnx.Graph.Input.Single().Type.TensorType.Shape.Dim[0].DimParam);
                var w2 = onnx.Graph.Initializer[2];
                Assert.Equal(model.NamedParameters[2].Value.ToArray(), System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(w2.RawData.Span).ToArray());
            }
            finally { File.Delete(path); }
        }

        [Fact]
        public void A_network_that_fixes_its_batch_is_refused_and_nothing_is_written()
        {
            string path = Path.Combine(Path.GetTempPath(), $"of-shape-{Guid.NewGuid():N}.onnx");
            File.WriteAllText(path, "before");
            try
            {
                var e = Assert.Throws<OnnxExportException>(() => new ShapeNet(seed: 1).ExportOnnx(path));
                Assert.Contains("write -1 for the axis that takes the rest", e.Message);
                Assert.Equal("before", File.ReadAllText(path));
                Assert.Single(Directory.GetFiles(Path.GetTempPath(), "." + Path.GetFileName(path) + "*").Append(path));
            }
            finally { File.Delete(path); }
        }

        [NeedsOnnxCheckerFact]
        public void Debians_onnx_checker_accepts_every_exported_file_with_its_full_check()
        {
            string folder = Path.Combine(Path.GetTempPath(), $"of-onnx-{Guid.NewGuid():N}");
            Directory.CreateDirectory(folder);
            try
            {
                foreach (var (name, create) in Networks) Export(create(), Path.Combine(folder, name + ".onnx"));
                const string check = "import glob, sys, onnx\n" +
                                     "for p in sorted(glob.glob(sys.argv[1] + '/*.onnx')):\n" +
                                     "    onnx.checker.check_model(onnx.load(p), full_check=True); print('ok', p)\n";
                var info = new ProcessStartInfo(TorchPeer.Python) { RedirectStandardOutput = true, RedirectStandardError = true };
                info.ArgumentList.Add("-c");
                info.ArgumentList.Add(check);
                info.ArgumentList.Add(folder);
                using var process = Process.Start(info)!;
                var errors = process.StandardError.ReadToEndAsync();
                string output = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                Assert.True(process.ExitCode == 0, output + errors.Result);
                Assert.Equal(Networks.Count, output.Split('\n').Count(l => l.StartsWith("ok ")));
            }
            finally { Directory.Delete(folder, recursive: true); }
        }

        /// <summary>A network with every weight drawn from [−0.5, 0.5] (the starting values leave biases and gains at 0 or
        /// 1) and every buffer from [0.5, 1.5], so that every op's operands, running statistics included, are really read.</summary>
        private static object Create(string name)
        {
            var model = Networks[name]();
            var random = new Random(3);
            foreach (var (property, low) in new[] { ("NamedParameters", -0.5), ("Buffers", 0.5) })
                foreach (var (_, value) in (IReadOnlyList<(string Name, Tensor Value)>)model.GetType().GetProperty(property)!.GetValue(model)!)
                    value.CopyFrom(Enumerable.Range(0, (int)value.Length).Select(_ => (float)(low + random.NextDouble())).ToArray());
            return model;
        }

        private static NetworkSpec SpecOf(object model) => (NetworkSpec)model.GetType().GetField("Spec")!.GetValue(null)!;

        /// <summary>The ops of the model's inference plan as written (unfused: the export writes each op, not the kernels that run them).</summary>
        private static IEnumerable<OpKind> PlanOf(object model)
            => NetworkPlanner.Compile((NetworkSpec)model.GetType().GetProperty("InstanceSpec")!.GetValue(model)!, PlanMode.Infer, fuse: false).Ops.Select(o => o.Kind);

        private static void Export(object model, string path) => model.GetType().GetMethod("ExportOnnx")!.Invoke(model, new object[] { path });

        private static Tensor Infer(object model, Tensor[] inputs)
            => (Tensor)model.GetType().GetMethod("Infer")!.Invoke(model, inputs.Cast<object>().ToArray())!;

        /// <summary>One input at <paramref name="rows"/> rows, as ours and as ONNX Runtime's: floats in [−1, 1], or ids
        /// below 4 (every table and class count of these networks is at least that).</summary>
        private static (Tensor Ours, NamedOnnxValue Theirs) Input(TensorDecl x, int rows, int seed)
        {
            var dims = new[] { rows }.Concat(x.Dims).ToArray();
            if (x.Kind == DeclKind.Ids)
            {
                var random = new Random(seed);
                var ids = Enumerable.Range(0, dims.Aggregate(1, (p, d) => p * d)).Select(_ => random.Next(4)).ToArray();
                return (Tensor.From(ids, dims), NamedOnnxValue.CreateFromTensor(x.Name, new DenseTensor<int>(ids, dims)));
            }
            var ours = Data.Floats(seed, dims);
            return (ours, NamedOnnxValue.CreateFromTensor(x.Name, new DenseTensor<float>(ours.ToArray(), dims)));
        }
    }

    public sealed class NeedsOnnxCheckerFactAttribute : FactAttribute
    {
        public NeedsOnnxCheckerFactAttribute()
        {
            var info = new ProcessStartInfo(TorchPeer.Python, "-c \"import onnx\"") { RedirectStandardError = true };
            bool found = File.Exists(TorchPeer.Python) && Process.Start(info) is { } p && p.WaitForExit(60_000) && p.ExitCode == 0;
            if (!found) Skip = "Debian's onnx is not installed (apt-get install python3-onnx); scripts/test.sh installs it.";
        }
    }
}
