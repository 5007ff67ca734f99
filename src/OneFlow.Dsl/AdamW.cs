using System;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Runtime;

namespace OneFlow.Dsl
{
    /// <summary>Adam with decoupled weight decay (Loshchilov and Hutter's AdamW, PyTorch's <c>AdamW</c>); with
    /// <c>weightDecay</c> 0 it is Adam.</summary>
    public class AdamW : Optimizer
    {
        public float Beta1 { get; }
        public float Beta2 { get; }
        public float Epsilon { get; }
        public float WeightDecay { get; }

        public AdamW(float lr, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0.01f) : base(lr)
        {
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), $"The betas must lie in [0, 1), not {beta1} and {beta2}.");
            if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), $"Epsilon must be positive, not {epsilon}.");
            if (!(weightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(weightDecay), $"Weight decay must not be negative, not {weightDecay}.");
            (Beta1, Beta2, Epsilon, WeightDecay) = (beta1, beta2, epsilon, weightDecay);
        }

        public override UpdateRule Rule => UpdateRule.Adam;

        private protected override void Configure(OptimizerSettings settings)
        {
            settings.Beta1 = Beta1;
            settings.Beta2 = Beta2;
            settings.Epsilon = Epsilon;
            settings.WeightDecay = WeightDecay;
        }

        private protected override float[][] States(int length) => new[] { new float[length], new float[length] };

        private protected override void Update(float[] w, float[] g, float[][] state, float lr, long step, float gradScale)
            => Runtime.Kernels.Update.AdamUpdate(w, g, state[0], state[1], lr, Beta1, Beta2, Epsilon, WeightDecay, step, gradScale);
    }
}
