using System;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>Gradients against central finite differences, in double precision on the float kernels.</summary>
    internal static class FiniteDifferences
    {
        /// <summary>Perturbs each element of each leaf and compares the slope of the loss with its gradient.</summary>
        public static void Check(Func<Tensor> loss, params Tensor[] leaves)
        {
            foreach (var leaf in leaves) { leaf.RequiresGrad = true; leaf.Grad = null; }
            loss().Backward();
            const float h = 1e-2f;
            foreach (var leaf in leaves)
            {
                var data = leaf.Host;
                var grad = leaf.Grad?.ToArray() ?? new float[data.Length];
                for (int i = 0; i < data.Length; i++)
                {
                    float saved = data[i];
                    data[i] = saved + h; double up = loss().Item();
                    data[i] = saved - h; double down = loss().Item();
                    data[i] = saved;
                    double numeric = (up - down) / (2 * h);
                    Assert.True(Math.Abs(numeric - grad[i]) <= 2e-3 + 2e-2 * Math.Abs(numeric), $"element {i}: numeric {numeric}, autograd {grad[i]}");
                }
            }
        }
    }
}
