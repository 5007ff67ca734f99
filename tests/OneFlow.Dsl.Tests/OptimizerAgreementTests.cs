using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using OneFlow.Dsl.Checkpoints;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>Our optimizers against an independent reference, torch.optim: from the same weights, with the same five
    /// gradients, every weight after every step agrees within 1e-5. (Plans run the same update kernels as the eager
    /// optimizer, which OptimizerTests checks.)</summary>
    public sealed class OptimizerAgreementTests : IDisposable
    {
        private readonly string _dir = Path.Combine(Path.GetTempPath(), $"optim-{Guid.NewGuid():N}");

        public OptimizerAgreementTests() => Directory.CreateDirectory(_dir);

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        private static Optimizer Make(string kind) => kind switch
        {
            "momentum" => new Sgd(0.05f, momentum: 0.9f),
            "adam" => new Adam(1e-2f),
            "adamw" => new AdamW(1e-2f, weightDecay: 0.1f),
            "clipped-sgd" => new Sgd(0.1f) { ClipGradientNorm = 0.5f },
            "clipped-adamw" => new AdamW(1e-2f, weightDecay: 0.01f) { ClipGradientNorm = 0.5f },
            "adagrad" => new Adagrad(0.1f),
            _ => new AdamW(2e-2f, weightDecay: 0.01f) { Schedule = LearningRateSchedule.WarmupCosine(warmup: 2, total: 5, floor: 0.2f) },
        };

        public static TheoryData<string> Cases() => new TheoryData<string> { "momentum", "adam", "adamw", "clipped-sgd", "clipped-adamw", "scheduled", "adagrad" };

        [NeedsTorchTheory]
        [MemberData(nameof(Cases))]
        public void Five_steps_match_torch_optim(string kind)
        {
            var a = Tensor.Randn(1, 3, 4);
            var b = Tensor.Randn(2, 6);
            var gradients = Enumerable.Range(1, 5).Select(s => (A: Tensor.Randn(10 + s, 3, 4), B: Tensor.Randn(20 + s, 6))).ToArray();
            var tensors = new List<NamedTensor> { new("a", new[] { 3, 4 }, a.ToArray()), new("b", new[] { 6 }, b.ToArray()) };
            for (int s = 0; s < 5; s++)
            {
                tensors.Add(new NamedTensor($"a.{s + 1}", new[] { 3, 4 }, gradients[s].A.ToArray()));
                tensors.Add(new NamedTensor($"b.{s + 1}", new[] { 6 }, gradients[s].B.ToArray()));
            }
            string inputs = Path.Combine(_dir, "inputs.safetensors"), output = Path.Combine(_dir, "steps.safetensors");
            SafeTensors.Write(inputs, tensors);
            TorchPeer.Run("optim_agreement.py", kind, inputs, output);
            var theirs = SafeTensors.Read(output).ToDictionary(t => t.Name, t => t.Values);

            var optimizer = Make(kind);
            for (int s = 0; s < 5; s++)
            {
                a.Grad = Tensor.From(gradients[s].A.ToArray(), 3, 4);
                b.Grad = Tensor.From(gradients[s].B.ToArray(), 6);
                optimizer.Step(new[] { a, b });
                TorchPeer.Close($"{kind} a after step {s + 1}", a.ToArray(), theirs[$"a.{s + 1}"]);
                TorchPeer.Close($"{kind} b after step {s + 1}", b.ToArray(), theirs[$"b.{s + 1}"]);
            }
        }
    }
}
