using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using OneFlow.Dsl.Checkpoints;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>Every op against an independent reference, as PyTorch's OpInfo tests do: each case of
    /// <see cref="OpReferences"/> run eagerly (the definition and CPU kernels a plan runs) and by torch in float64 from the
    /// same operands; the value, the gradient of Σ y·r for a random r with respect to every float operand, and what the
    /// op updates in place agree within 1e-5 of each tensor's largest magnitude.</summary>
    public sealed class OpAgreementTests : IClassFixture<OpAgreementTests.TorchValues>
    {
        private const double Tolerance = 1e-5;
        private readonly TorchValues _torch;

        public OpAgreementTests(TorchValues torch) => _torch = torch;

        [NeedsTorchTheory]
        [MemberData(nameof(OpReferences.Names), MemberType = typeof(OpReferences))]
        public void The_op_agrees_with_torch_in_float64(string name)
        {
            var c = OpReferences.Named(name);
            var (leaves, y) = Forward(c);
            Close($"{name}: value", y.ToArray(), name + ".y");
            if (c.Differentiated.Length > 0)
            {
                var projection = Tensor.From(Projection(c, (int)y.Length), y.Shape.ToArray());
                Ops.Sum(Ops.Reshape(y * projection, -1)).Backward();
                foreach (int i in c.Differentiated)
                    Close($"{name}: gradient of operand {i}", leaves[i].Grad?.ToArray() ?? new float[leaves[i].Length], $"{name}.grad.{i}");
            }
            foreach (int i in c.Updated) Close($"{name}: operand {i} after the call", leaves[i].ToArray(), $"{name}.after.{i}");
        }

        /// <summary>Every op kind is reached by a case, forward or through a gradient rule, or is skipped with a reason.</summary>
        [Fact]
        public void Every_op_kind_has_a_reference_or_a_reason()
        {
            var reached = OpReferences.All.SelectMany(c => KindsRun.Of(c.Kind, c.Operands.Select(o => o.Shape).ToArray(),
                c.Operands.Select(o => o.Type).ToArray(), c.Args, !c.Evaluating, c.Differentiated)).ToHashSet();
            var neither = Enum.GetValues<OpKind>().Where(k => !reached.Contains(k) && !OpReferences.Skipped.ContainsKey(k)).ToList();
            Assert.True(neither.Count == 0, $"no reference and no reason to skip: {string.Join(", ", neither)}");
            var both = OpReferences.Skipped.Keys.Where(reached.Contains).ToList();
            Assert.True(both.Count == 0, $"skipped but reached by a case (drop them from Skipped): {string.Join(", ", both)}");
        }

        /// <summary>The case's leaves (float operands asking for gradients) and its value, computed in the case's mode.</summary>
        private static (Tensor[] Leaves, Tensor Y) Forward(OpReference c)
        {
            var leaves = c.Draw().Select((data, i) => data is int[] ids
                ? (c.Operands[i].Mask ? Tensor.Mask(ids, c.Operands[i].Shape.ToArray()) : Tensor.From(ids, c.Operands[i].Shape.ToArray()))
                : Tensor.From((float[])data, c.Operands[i].Shape.ToArray())).ToArray();
            foreach (int i in c.Differentiated) leaves[i].RequiresGrad = true;
            bool training = EagerMode.Training;
            EagerMode.Training = !c.Evaluating;
            try
            {
                return (leaves, Eager.Run(c.Kind, OpRegistry.Get(c.Kind).FromCall(c.Name, c.Args), leaves, call: 1));
            }
            finally
            {
                EagerMode.Training = training;
            }
        }

        private static float[] Projection(OpReference c, int length)
        {
            var random = new Random(c.Seed + 1);
            return Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        }

        /// <summary>Within 1e-5 of the largest magnitude of the float64 value; a failure gives PyTorch's own float32 error
        /// beside ours, to say whose rounding is larger.</summary>
        private void Close(string what, float[] ours, string reference)
        {
            float[] exact = _torch[reference];
            Assert.Equal(exact.Length, ours.Length);
            double scale = Math.Max(1e-30, exact.Max(v => Math.Abs(v)));
            double torchError = _torch[reference + ".f32"][0];
            int at = 0;
            for (int i = 1; i < ours.Length; i++)
                if (Math.Abs((double)ours[i] - exact[i]) > Math.Abs((double)ours[at] - exact[at])) at = i;
            double error = ours.Length == 0 ? 0 : Math.Abs((double)ours[at] - exact[at]);
            Assert.True(error <= Tolerance * scale,
                $"{what}: element {at} is {ours[at]}, float64 gives {exact[at]}: error {error:G3} against {Tolerance * scale:G3} allowed " +
                $"(largest magnitude {scale:G4}; PyTorch's own float32 error {torchError:G3})");
        }

        /// <summary>torch's float64 values for every case, computed by one run of Torch/op_agreement.py.</summary>
        public sealed class TorchValues
        {
            private readonly Lazy<Dictionary<string, float[]>> _values = new(Compute);

            public float[] this[string name]
                => _values.Value.TryGetValue(name, out var v) ? v : throw new KeyNotFoundException($"op_agreement.py wrote no '{name}'");

            private static Dictionary<string, float[]> Compute()
            {
                string dir = Path.Combine(Path.GetTempPath(), $"op-agreement-{Guid.NewGuid():N}");
                Directory.CreateDirectory(dir);
                try
                {
                    var tensors = new List<NamedTensor>();
                    var cases = new Dictionary<string, object>();
                    foreach (var c in OpReferences.All)
                    {
                        var operands = c.Draw();
                        for (int i = 0; i < operands.Length; i++)
                            tensors.Add(new NamedTensor($"{c.Name}.{i}", c.Operands[i].Shape.ToArray(),
                                operands[i] is int[] ids ? ids.Select(v => (float)v).ToArray() : (float[])operands[i]));
                        var (_, y) = Forward(c);
                        tensors.Add(new NamedTensor(c.Name + ".r", y.Shape.ToArray(), Projection(c, (int)y.Length)));
                        cases[c.Name] = new
                        {
                            expr = c.Torch,
                            ids = Enumerable.Range(0, c.Operands.Length).Where(i => c.Operands[i].Ids > 0).ToArray(),
                            grads = c.Differentiated,
                            updated = c.Updated,
                        };
                    }
                    string casesPath = Path.Combine(dir, "cases.json"), inputs = Path.Combine(dir, "inputs.safetensors"), output = Path.Combine(dir, "out.safetensors");
                    File.WriteAllText(casesPath, JsonSerializer.Serialize(cases));
                    SafeTensors.Write(inputs, tensors);
                    TorchPeer.Run("op_agreement.py", casesPath, inputs, output);
                    return SafeTensors.Read(output).ToDictionary(t => t.Name, t => t.Values);
                }
                finally
                {
                    Directory.Delete(dir, recursive: true);
                }
            }
        }
    }
}
