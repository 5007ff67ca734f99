using System;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Plan;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>What a kernel is handed when its op instance runs, on any backend: the op (its attributes read through
    /// the op definition's typed accessors), the shapes of its parts and of the whole tensors, and the run's values —
    /// the piece, the learning rate, the optimizer's settings. One context per actor, reused at every act.</summary>
    internal abstract class KernelContext
    {
        private object? _cached;

        protected KernelContext(OpGeometry geometry) => Geometry = geometry;

        public OpGeometry Geometry { get; }
        public PlanOp Op => Geometry.Op;
        public Shape InShape(int input) => Geometry.Inputs[input];
        public Shape OutShape => Geometry.Output;
        public Shape WholeIn(int input) => Geometry.WholeInputs[input];
        public Shape WholeOut => Geometry.WholeOutput;

        /// <summary>The index of the running piece: the step's number times its micro-batches plus the micro-batch. It
        /// keys dropout's mask, so a step's backward pass sees its forward pass's.</summary>
        public long Piece { get; set; }

        /// <summary>The optimizer's values for this step, shared by every context of a session.</summary>
        public OptimizerSettings Optimizer { get; set; } = new OptimizerSettings();
        public float LearningRate => Optimizer.LearningRate;

        /// <summary>The length of the last axis of input <paramref name="input"/> on this device.</summary>
        public int LastOf(int input) => InShape(input)[InShape(input).Rank - 1];

        /// <summary>A value derived once from the op and kept for every later act (a permutation's axes as ints, a broadcast's layout):
        /// kernels stay allocation-free in a plan.</summary>
        public T Cached<T>(Func<KernelContext, T> make) where T : notnull => (T)(_cached ??= make(this));
    }
}
