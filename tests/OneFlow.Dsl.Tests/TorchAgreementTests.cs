using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using OneFlow.Dsl.Checkpoints;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>A fact that is skipped, with its reason, where Debian's python3-torch is not installed (the test
    /// command installs it).</summary>
    public sealed class NeedsTorchFactAttribute : FactAttribute
    {
        public NeedsTorchFactAttribute()
        {
            if (!TorchPeer.Available.Value)
                Skip = $"PyTorch is not importable by {TorchPeer.Python}; install python3-torch (scripts/test.sh does).";
        }
    }

    /// <summary>A theory skipped, with its reason, where Debian's python3-torch is not installed.</summary>
    public sealed class NeedsTorchTheoryAttribute : TheoryAttribute
    {
        public NeedsTorchTheoryAttribute()
        {
            if (!TorchPeer.Available.Value)
                Skip = $"PyTorch is not importable by {TorchPeer.Python}; install python3-torch (scripts/test.sh does).";
        }
    }

    /// <summary>The README's MLP against PyTorch, both ways, through safetensors files: our weights in PyTorch
    /// give our logits, loss and gradients; PyTorch's trained weights in our model give PyTorch's logits. Every
    /// element agrees within 1e-5 of its tensor's largest magnitude with PyTorch's float64 result.</summary>
    public sealed class TorchAgreementTests : IDisposable
    {
        private readonly string _dir = Path.Combine(Path.GetTempPath(), $"torch-agreement-{Guid.NewGuid():N}");

        public TorchAgreementTests() => Directory.CreateDirectory(_dir);

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        private static void Torch(params string[] arguments) => TorchPeer.Run("mlp_agreement.py", arguments);

        /// <summary>A batch of 64 images and labels, written for PyTorch too (labels as F32).</summary>
        private (Tensor X, Tensor Labels, string Path) Batch(int seed)
        {
            var x = Data.Floats(seed, 64, 784);
            var labels = Data.Labels(seed + 1, 64, 10);
            string path = Path.Combine(_dir, "batch.safetensors");
            SafeTensors.Write(path, new[]
            {
                new NamedTensor("x", new[] { 64, 784 }, x.ToArray()),
                new NamedTensor("labels", new[] { 64 }, labels.ToArray()),
            });
            return (x, labels, path);
        }

        [NeedsTorchFact]
        public void Our_weights_in_pytorch_give_our_logits_loss_and_gradients()
        {
            var model = new Mlp(seed: 11);
            string weights = Path.Combine(_dir, "ours.safetensors"), output = Path.Combine(_dir, "pytorch.safetensors");
            model.SaveWeights(weights);
            var (x, labels, batch) = Batch(21);
            Torch("check", weights, batch, output);
            var theirs = SafeTensors.Read(output).ToDictionary(t => t.Name, t => t.Values);

            var logits = model.Forward(x);
            var loss = Ops.SoftmaxCrossEntropy(logits, labels);
            loss.Backward();
            TorchPeer.Close("logits", logits.ToArray(), theirs["logits"]);
            TorchPeer.Close("loss", new[] { loss.Item() }, theirs["loss"]);
            foreach (var (name, value) in model.NamedParameters)
                TorchPeer.Close("grad of " + name, value.Grad!.ToArray(), theirs["grad." + name]);
            // The compiled plan on four devices (x by rows, w1 by columns, w2 by rows) gives the same logits.
            TorchPeer.Close("plan logits", model.Infer(x).ToArray(), theirs["logits"]);
        }

        [NeedsTorchFact]
        public void Weights_trained_in_pytorch_give_pytorchs_logits_in_our_model()
        {
            string weights = Path.Combine(_dir, "trained.safetensors"), output = Path.Combine(_dir, "logits.safetensors");
            var (x, _, batch) = Batch(31);
            Torch("train", weights, batch, output);
            var model = new Mlp(seed: 1);
            model.LoadWeights(weights);
            var theirs = SafeTensors.Read(output).Single(t => t.Name == "logits").Values;
            TorchPeer.Close("logits", model.Infer(x).ToArray(), theirs);
            TorchPeer.Close("eager logits", model.Forward(x).ToArray(), theirs);
        }
    }
}
