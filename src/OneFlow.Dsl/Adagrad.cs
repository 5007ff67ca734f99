using System;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Runtime;

namespace OneFlow.Dsl
{
    /// <summary>Adagrad (PyTorch's <c>Adagrad</c> with a zero initial sum and no learning-rate decay): s += g², w −= lr ·
    /// g / (√s + ε). A table split by vocabulary is updated from its touched rows, which gives the same result.</summary>
    public sealed class Adagrad : Optimizer
    {
        public float Epsilon { get; }

        public Adagrad(float lr, float epsilon = 1e-10f) : base(lr)
        {
            if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), $"Epsilon must be positive, not {epsilon}.");
            Epsilon = epsilon;
        }

        public override UpdateRule Rule => UpdateRule.Adagrad;

        private protected override void Configure(OptimizerSettings settings) => settings.Epsilon = Epsilon;

        private protected override float[][] States(int length) => new[] { new float[length] };

        private protected override void Update(float[] w, float[] g, float[][] state, float lr, long step, float gradScale)
            => Runtime.Kernels.Update.AdagradUpdate(w, g, state[0], lr, Epsilon, gradScale);
    }
}
