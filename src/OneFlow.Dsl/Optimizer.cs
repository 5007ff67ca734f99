using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Runtime;

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
}
