using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>The two checks every distributed network gets: its plan's gradients equal eager autograd's, and
    /// several devices train with the losses of one.</summary>
    internal static class Agreement
    {
        /// <summary>One plan step moves each weight by −lr·grad: recovers the plan's gradient from the weights before
        /// and after <paramref name="planStep"/> and compares it with the eager gradient of the same loss.</summary>
        public static void PlanGradientsEqualEager(IReadOnlyList<Tensor> eager, Func<Tensor> eagerLoss,
            IReadOnlyList<Tensor> planned, Action<Sgd> planStep, float lr = 0.5f, double absolute = 1e-4)
        {
            eagerLoss().Backward();
            var before = planned.Select(p => p.ToArray()).ToArray();
            planStep(new Sgd(lr));
            for (int p = 0; p < before.Length; p++)
            {
                var after = planned[p].ToArray();
                var expected = eager[p].Grad?.ToArray() ?? new float[after.Length];
                for (int i = 0; i < after.Length; i++)
                {
                    float g = (before[p][i] - after[i]) / lr;
                    Assert.True(Math.Abs(g - expected[i]) <= absolute + 1e-3 * Math.Abs(expected[i]), $"parameter {p} element {i}: plan {g}, eager {expected[i]}");
                }
            }
        }

        /// <summary>Runs <paramref name="steps"/> steps of two trainers on the same batches; the losses must agree.</summary>
        public static void SameLosses(int steps, Func<int, (float One, float Many)> step, double tolerance = 1e-5)
        {
            for (int s = 0; s < steps; s++)
            {
                var (one, many) = step(s);
                Assert.True(Math.Abs(one - many) <= tolerance * Math.Max(1, Math.Abs(one)), $"step {s}: {one} on one device, {many} on several");
            }
        }
    }
}
