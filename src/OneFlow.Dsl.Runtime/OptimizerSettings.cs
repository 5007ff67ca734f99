using System;

namespace OneFlow.Dsl.Runtime
{
    /// <summary>The optimizer's run-time values, read by a plan's update ops at every step: set them before
    /// <see cref="IPlanSession.Run"/>. <see cref="Step"/> counts from 1 (Adam's bias correction).</summary>
    public sealed class OptimizerSettings
    {
        public float LearningRate { get; set; }
        public float Momentum { get; set; } = 0.9f;
        public float Beta1 { get; set; } = 0.9f;
        public float Beta2 { get; set; } = 0.999f;
        public float Epsilon { get; set; } = 1e-8f;
        public float WeightDecay { get; set; }
        public long Step { get; set; } = 1;
        /// <summary>The global gradient norm a clipped plan scales the gradients down to (when they exceed it).</summary>
        public float MaxGradNorm { get; set; } = float.PositiveInfinity;

        /// <summary>The factor a clipped update scales its gradient by, from the global squared norm.</summary>
        public float ClipScale(float squaredNorm)
        {
            float norm = MathF.Sqrt(squaredNorm);
            return norm > MaxGradNorm ? MaxGradNorm / norm : 1f;
        }
    }
}
