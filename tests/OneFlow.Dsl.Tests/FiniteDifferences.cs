using System;
using System.Linq;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>Gradients against central finite differences of the float kernels, the loss summed in double.</summary>
    internal static class FiniteDifferences
    {
        private const float Step = 1e-2f;

        /// <summary>Elements checked per leaf: all of a small one, a fixed random choice (with the last element, a
        /// vector loop's tail) of a larger one. The gradient itself is computed whole.</summary>
        private const int Checked = 240;

        /// <summary>Compares the gradient of Σ y·r (r fixed and random, y = <paramref name="output"/>()) with respect to
        /// each element of each leaf with the slope of that sum, computed in double from the float outputs.</summary>
        public static void Check(Func<Tensor> output, params Tensor[] leaves)
        {
            foreach (var leaf in leaves) { leaf.RequiresGrad = true; leaf.Grad = null; }
            var y = output();
            var r = Data.Floats(4, y.Shape.ToArray());
            Ops.Sum(Ops.Reshape(y * r, -1)).Backward();
            var weights = r.ToArray();
            double Loss()
            {
                var values = output().ToArray();
                double total = 0;
                for (int i = 0; i < values.Length; i++) total += (double)values[i] * weights[i];
                return total;
            }
            var random = new Random(5);
            foreach (var leaf in leaves)
            {
                var data = leaf.Host;
                var grad = leaf.Grad?.ToArray() ?? new float[data.Length];
                var elements = data.Length <= Checked ? Enumerable.Range(0, data.Length)
                    : Enumerable.Range(0, data.Length - 1).OrderBy(_ => random.Next()).Take(Checked - 1).Append(data.Length - 1);
                foreach (int i in elements)
                {
                    float saved = data[i], above = saved + Step, below = saved - Step;
                    data[i] = above; double up = Loss();
                    data[i] = below; double down = Loss();
                    data[i] = saved;
                    double numeric = (up - down) / ((double)above - below);
                    // The floor is the float outputs' rounding, which changes with the perturbed element (1e-4 for a
                    // matrix product's row of 35).
                    Assert.True(Math.Abs(numeric - grad[i]) <= 2e-4 + 2e-3 * Math.Abs(numeric), $"leaf {Array.IndexOf(leaves, leaf)} element {i}: numeric {numeric}, autograd {grad[i]} (up {up}, down {down})");
                }
            }
        }
    }
}
