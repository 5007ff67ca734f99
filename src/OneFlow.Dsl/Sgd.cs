using System;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Runtime;

namespace OneFlow.Dsl
{
    /// <summary>Stochastic gradient descent, w −= lr · g; with <c>momentum</c>, PyTorch's form: v = μ·v + g, w −= lr · v.</summary>
    public sealed class Sgd : Optimizer
    {
        public float Momentum { get; }

        public Sgd(float lr, float momentum = 0f) : base(lr)
        {
            if (!(momentum >= 0 && momentum < 1)) throw new ArgumentOutOfRangeException(nameof(momentum), $"Momentum must lie in [0, 1), not {momentum}.");
            Momentum = momentum;
        }

        public override UpdateRule Rule => Momentum > 0 ? UpdateRule.Momentum : UpdateRule.Sgd;

        private protected override void Configure(OptimizerSettings settings) => settings.Momentum = Momentum;

        private protected override float[][] States(int length) => Momentum > 0 ? new[] { new float[length] } : Array.Empty<float[]>();

        private protected override void Update(float[] w, float[] g, float[][] state, float lr, long step, float gradScale)
        {
            if (Momentum > 0) Runtime.Kernels.Update.MomentumUpdate(w, g, state[0], lr, Momentum, gradScale);
            else Runtime.Kernels.Update.SgdUpdate(w, g, lr, gradScale);
        }
    }
}
