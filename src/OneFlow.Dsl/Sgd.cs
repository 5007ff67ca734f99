using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Runtime;
using OneFlow.Dsl.Runtime.Kernels;

namespace OneFlow.Dsl
{
    /// <summary>How a trainer updates the weights: the rule its plan's update ops follow (the state tensors it
    /// needs are planned beside each weight, laid out as the weight), the hyperparameters set before every step, and
    /// the learning rate's schedule. <see cref="Step"/> does the same eagerly.</summary>
    public abstract class Optimizer
    {
        private readonly ConditionalWeakTable<Tensor, float[][]> _eagerState = new ConditionalWeakTable<Tensor, float[][]>();
        private long _eagerSteps;

        /// <summary>The base learning rate (the schedule scales it); set it between steps to change it without losing
        /// the optimizer's state.</summary>
        public float LearningRate
        {
            get => _learningRate;
            set => _learningRate = value > 0 && !float.IsInfinity(value) ? value
                : throw new ArgumentOutOfRangeException(nameof(LearningRate), $"The learning rate must be positive and finite, not {value}.");
        }

        private float _learningRate;

        /// <summary>The learning rate's course over the steps; constant when left out.</summary>
        public LearningRateSchedule? Schedule { get; init; }

        /// <summary>When set, every gradient is scaled by min(1, this / the global norm of all gradients) before the
        /// update, as <c>torch.nn.utils.clip_grad_norm_</c> does.</summary>
        public float? ClipGradientNorm
        {
            get => _clip;
            init => _clip = value is null || value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(ClipGradientNorm), $"The norm to clip to must be positive, not {value}.");
        }

        private readonly float? _clip;

        /// <summary>True when a plan's updates read the global gradient norm.</summary>
        public bool Clips => _clip != null;

        /// <summary>The update rule a training plan is built for.</summary>
        public abstract UpdateRule Rule { get; }

        protected Optimizer(float lr)
        {
            if (!(lr > 0) || float.IsInfinity(lr)) throw new ArgumentOutOfRangeException(nameof(lr), $"The learning rate must be positive and finite, not {lr}.");
            _learningRate = lr;
        }

        /// <summary>The learning rate of step <paramref name="step"/> (counted from 1).</summary>
        public float RateAt(long step) => Schedule?.Rate(LearningRate, step) ?? LearningRate;

        /// <summary>Sets a session's hyperparameters for step <paramref name="step"/> (counted from 1).</summary>
        internal void Configure(IPlanSession session, long step)
        {
            session.LearningRate = RateAt(step);
            session.Optimizer.Step = step;
            session.Optimizer.MaxGradNorm = _clip ?? float.PositiveInfinity;
            Configure(session.Optimizer);
        }

        private protected abstract void Configure(OptimizerSettings settings);

        /// <summary>The eager update: applies and clears the gradient of every parameter.</summary>
        public void Step(IEnumerable<Tensor> parameters)
        {
            long step = ++_eagerSteps;
            var list = parameters.Where(p => p.Grad != null).ToList();
            float scale = 1f;
            if (_clip is float limit)
            {
                double squares = list.Sum(p => (double)System.Numerics.Tensors.TensorPrimitives.SumOfSquares<float>(p.Grad!.Host));
                var settings = new OptimizerSettings { MaxGradNorm = limit };
                scale = settings.ClipScale((float)squares);
            }
            foreach (var p in list)
            {
                var state = _eagerState.GetValue(p, t => States((int)t.Length));
                Update(p.Host, p.Grad!.Host, state, RateAt(step), step, scale);
                p.HostChanged();
                p.Grad = null;
            }
        }

        private protected abstract float[][] States(int length);
        private protected abstract void Update(float[] w, float[] g, float[][] state, float lr, long step, float gradScale);
    }

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
            if (Momentum > 0) Elementwise.MomentumUpdate(w, g, state[0], lr, Momentum, gradScale);
            else Elementwise.SgdUpdate(w, g, lr, gradScale);
        }
    }

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
            => Elementwise.AdamUpdate(w, g, state[0], state[1], lr, Beta1, Beta2, Epsilon, WeightDecay, step, gradScale);
    }

    /// <summary>Adam: <see cref="AdamW"/> without weight decay.</summary>
    public sealed class Adam : AdamW
    {
        public Adam(float lr, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f) : base(lr, beta1, beta2, epsilon, weightDecay: 0f) { }
    }

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
            => Elementwise.AdagradUpdate(w, g, state[0], lr, Epsilon, gradScale);
    }

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
