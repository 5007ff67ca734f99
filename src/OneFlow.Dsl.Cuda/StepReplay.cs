using System;
using ILGPU.Runtime;
using OneFlow.Dsl.Runtime;

namespace OneFlow.Dsl.Cuda
{
    /// <summary>A training step recorded once as a CUDA graph and replayed from then on: one launch per step instead of
    /// one per kernel. The plan is static, so every step enqueues the same kernels on the same buffers with the same
    /// arguments; what changes from step to step is read from the device (<see cref="StepValues"/>, the inputs' copies),
    /// refilled before each replay. A change to the optimizer's constants (momentum, betas, ε, decay, the clipping
    /// norm), which kernels take as arguments, records anew.</summary>
    internal sealed class StepReplay : IDisposable
    {
        private readonly CudaGraph _graph = new CudaGraph();
        private (float, float, float, float, float, float)? _recorded;

        /// <summary>Runs one step on <paramref name="origin"/>'s stream and waits for it: replays the graph when it was
        /// recorded with these optimizer constants (after <paramref name="stage"/> has put the inputs in place), else
        /// records <paramref name="enqueue"/>'s step, which then runs as the graph's first replay.</summary>
        public void Run(AcceleratorStream origin, OptimizerSettings o, Action stage, Action enqueue)
        {
            var constants = (o.Momentum, o.Beta1, o.Beta2, o.Epsilon, o.WeightDecay, o.MaxGradNorm);
            if (_graph.Ready && _recorded == constants)
                stage();
            else
            {
                _graph.Dispose();
                CudaGraph.Begin(origin);
                try { enqueue(); }
                finally { _graph.End(origin); }
                _recorded = constants;
            }
            _graph.Launch(origin);
            origin.Synchronize();
        }

        public void Dispose() => _graph.Dispose();
    }
}
