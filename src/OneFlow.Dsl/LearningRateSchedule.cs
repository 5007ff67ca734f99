using System;

namespace OneFlow.Dsl
{
    /// <summary>The learning rate over the steps: a linear warm-up from 0 over <see cref="WarmupSteps"/>, then a
    /// cosine decay to <see cref="Floor"/> × the peak at <see cref="TotalSteps"/>, and the floor after.</summary>
    public sealed record LearningRateSchedule(int WarmupSteps, int TotalSteps, float Floor = 0.1f)
    {
        public static LearningRateSchedule WarmupCosine(int warmup, int total, float floor = 0.1f)
        {
            if (warmup < 0 || total <= warmup) throw new ArgumentOutOfRangeException(nameof(total), $"Need 0 ≤ warm-up < total steps, not {warmup} and {total}.");
            if (!(floor >= 0 && floor <= 1)) throw new ArgumentOutOfRangeException(nameof(floor), $"The floor is a fraction of the peak rate in [0, 1], not {floor}.");
            return new LearningRateSchedule(warmup, total, floor);
        }

        /// <summary>The rate at step <paramref name="step"/> (from 1) for a peak rate of <paramref name="peak"/>.</summary>
        public float Rate(float peak, long step)
        {
            if (step <= WarmupSteps) return peak * step / WarmupSteps;
            if (step >= TotalSteps) return peak * Floor;
            double progress = (double)(step - WarmupSteps) / (TotalSteps - WarmupSteps);
            return (float)(peak * (Floor + (1 - Floor) * 0.5 * (1 + Math.Cos(Math.PI * progress))));
        }
    }
}
