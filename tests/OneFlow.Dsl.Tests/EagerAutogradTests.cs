using System;
using System.IO;
using System.Linq;
using OneFlow.Dsl.Checkpoints;
using Xunit;
using static OneFlow.Dsl.Ops;

namespace OneFlow.Dsl.Tests
{
    /// <summary>Gradients of any tensor the user marks, as PyTorch gives them: filled by Backward on any scalar
    /// expression, summed over calls until zeroed, kept by leaves only.</summary>
    public sealed class EagerAutogradTests : IDisposable
    {
        private readonly string _dir = Path.Combine(Path.GetTempPath(), $"autograd-{Guid.NewGuid():N}");

        public EagerAutogradTests() => Directory.CreateDirectory(_dir);

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        private static Tensor Loss(Tensor a, Tensor b)
        {
            var y = Tanh(MatMul(a, b)) * 2f - Sum(Sigmoid(b), axis: 0) / 3f;
            return Mean(Mean(y * y, axis: 1)) + Mean(Sum(Square(a), axis: -1));
        }

        private static (Tensor A, Tensor B) Leaves()
        {
            var a = Tensor.Randn(1, 3, 4);
            var b = Tensor.Randn(2, 4, 5);
            a.RequiresGrad = b.RequiresGrad = true;
            return (a, b);
        }

        [Fact]
        public void Gradients_of_marked_tensors_match_finite_differences()
        {
            var (a, b) = Leaves();
            FiniteDifferences.Check(() => Loss(a, b), a, b);
        }

        [Fact]
        public void Gradients_add_up_over_calls_until_zeroed_and_results_keep_none()
        {
            var (a, b) = Leaves();
            var loss = Loss(a, b);
            loss.Backward();
            var once = a.Grad!.ToArray();
            Loss(a, b).Backward();
            Assert.Equal(once.Select(g => 2 * g), a.Grad!.ToArray());
            Assert.False(loss.IsLeaf);
            Assert.Null(loss.Grad);
            a.ZeroGrad();
            Loss(a, b).Backward();
            Assert.Equal(once, a.Grad!.ToArray());
        }

        [Fact]
        public void A_tensor_not_marked_gets_no_gradient_and_integers_cannot_be_marked()
        {
            var (a, _) = Leaves();
            var b = Tensor.Randn(2, 4, 5);
            Loss(a, b).Backward();
            Assert.NotNull(a.Grad);
            Assert.Null(b.Grad);
            Assert.Throws<InvalidOperationException>(() => Tensor.From(new[] { 1, 2 }, 2).RequiresGrad = true);
            var plain = Loss(Tensor.Randn(3, 3, 4), Tensor.Randn(4, 4, 5));
            Assert.Contains("nothing this tensor was computed from requires a gradient", Assert.Throws<InvalidOperationException>(plain.Backward).Message);
        }

        [NeedsTorchFact]
        public void Gradients_accumulated_over_two_passes_equal_pytorchs()
        {
            var (a, b) = Leaves();
            string inputs = Path.Combine(_dir, "inputs.safetensors"), output = Path.Combine(_dir, "grads.safetensors");
            SafeTensors.Write(inputs, new[] { new NamedTensor("a", new[] { 3, 4 }, a.ToArray()), new NamedTensor("b", new[] { 4, 5 }, b.ToArray()) });
            TorchPeer.Run("autograd_agreement.py", inputs, output);
            var theirs = SafeTensors.Read(output).ToDictionary(t => t.Name, t => t.Values);
            Loss(a, b).Backward();
            Loss(a, b).Backward();
            TorchPeer.Close("grad of a", a.Grad!.ToArray(), theirs["grad.a"]);
            TorchPeer.Close("grad of b", b.Grad!.ToArray(), theirs["grad.b"]);
        }
    }
}
