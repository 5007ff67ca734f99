using System;
using System.IO;
using System.Linq;
using OneFlow.Dsl.Checkpoints;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary><see cref="VisionNet"/> (every vision op) against the same model in PyTorch, through safetensors files:
    /// our weights and buffers, saved under their names, give our logits, loss and gradients in training and in
    /// evaluation mode; three training steps from them leave PyTorch's weights and running statistics.</summary>
    public sealed class TorchCnnAgreementTests : IDisposable
    {
        private readonly string _dir = Path.Combine(Path.GetTempPath(), $"torch-cnn-{Guid.NewGuid():N}");

        public TorchCnnAgreementTests() => Directory.CreateDirectory(_dir);

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        private static void Torch(params string[] arguments) => TorchPeer.Run("cnn_agreement.py", arguments);

        private (Tensor X, Tensor Labels, string Path) Batch(int seed)
        {
            var x = Data.Floats(seed, 8, 3, 8, 8);
            var labels = Data.Labels(seed + 1, 8, 10);
            string path = Path.Combine(_dir, "batch.safetensors");
            SafeTensors.Write(path, new[]
            {
                new NamedTensor("x", new[] { 8, 3, 8, 8 }, x.ToArray()),
                new NamedTensor("labels", new[] { 8 }, labels.ToArray()),
            });
            return (x, labels, path);
        }

        /// <summary>A model whose running statistics are no longer their starting values: three plan steps in.</summary>
        private static VisionNet Trained(int seed)
        {
            var model = new VisionNet(seed);
            using var trainer = model.Trainer(new Sgd(0.1f));
            for (int s = 0; s < 3; s++) trainer.Step(Data.Floats(70 + s, 8, 3, 8, 8), Data.Labels(80 + s, 8, 10));
            return model;
        }

        [NeedsTorchTheory]
        [InlineData("train")]
        [InlineData("eval")]
        public void Our_weights_and_buffers_in_pytorch_give_our_logits_loss_and_gradients(string mode)
        {
            var model = Trained(seed: 12);
            string weights = Path.Combine(_dir, "ours.safetensors"), output = Path.Combine(_dir, "pytorch.safetensors");
            model.SaveWeights(weights);
            var (x, labels, batch) = Batch(41);
            Torch("check", weights, batch, output, mode);
            var theirs = SafeTensors.Read(output).ToDictionary(t => t.Name, t => t.Values);

            if (mode == "eval") TorchPeer.Close("inference plan logits", model.Infer(x).ToArray(), theirs["logits"]);
            if (mode == "eval") model.Eval();
            try
            {
                var logits = model.Forward(x);
                var loss = Ops.SoftmaxCrossEntropy(logits, labels);
                loss.Backward();
                TorchPeer.Close("logits", logits.ToArray(), theirs["logits"]);
                TorchPeer.Close("loss", new[] { loss.Item() }, theirs["loss"]);
                double largest = model.NamedParameters.Max(p => theirs["grad." + p.Name].Max(Math.Abs));
                foreach (var (name, value) in model.NamedParameters)
                {
                    // A per-channel bias just before batch norm has no effect in training (the batch mean absorbs it):
                    // its gradient is exactly 0, and both sides give rounding noise far below every other gradient.
                    if (mode == "train" && name == "cb1")
                        Assert.All(value.Grad!.ToArray().Concat(theirs["grad." + name]), g => Assert.True(Math.Abs(g) < 1e-5 * largest, $"grad of cb1: {g}"));
                    else TorchPeer.Close("grad of " + name, value.Grad!.ToArray(), theirs["grad." + name]);
                }
            }
            finally
            {
                model.Train();
            }
        }

        [NeedsTorchFact]
        public void Three_training_steps_leave_pytorchs_weights_and_running_statistics()
        {
            var model = new VisionNet(seed: 13);
            string weights = Path.Combine(_dir, "start.safetensors"), output = Path.Combine(_dir, "after.safetensors");
            model.SaveWeights(weights);
            var (x, labels, batch) = Batch(51);
            Torch("steps", weights, batch, output);
            using (var trainer = model.Trainer(new Sgd(0.1f)))
                for (int step = 0; step < 3; step++) trainer.Step(Roll(x, step), Roll(labels, step));
            var theirs = SafeTensors.Read(output).ToDictionary(t => t.Name, t => t.Values);
            foreach (var (name, value) in model.NamedParameters.Concat(model.Buffers))
                TorchPeer.Close(name + " after 3 steps", value.ToArray(), theirs[name]);
        }

        /// <summary>torch.roll along the batch axis: sample i of the result is sample i − shift.</summary>
        private static Tensor Roll(Tensor t, int shift)
        {
            int n = t.Shape[0], row = (int)(t.Length / n);
            if (t.IsInteger)
            {
                var ids = t.ToArray().Select(v => (int)v).ToArray();
                return Tensor.From(Enumerable.Range(0, n).Select(i => ids[((i - shift) % n + n) % n]).ToArray(), n);
            }
            var values = t.ToArray();
            var rolled = new float[values.Length];
            for (int i = 0; i < n; i++) Array.Copy(values, ((i - shift) % n + n) % n * row, rolled, i * row, row);
            return Tensor.From(rolled, t.Shape.ToArray());
        }
    }
}
