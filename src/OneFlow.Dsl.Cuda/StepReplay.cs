using System;
using System.Linq;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Planner.Plan;

namespace OneFlow.Dsl.Cuda
{
    /// <summary>A training step recorded once as a CUDA graph and replayed from then on: one launch per step instead of
    /// one per kernel. The plan is static, so every step enqueues the same kernels on the same buffers — except their
    /// arguments: a changed learning rate records anew, and plans whose kernels take a per-step value cannot replay.</summary>
    internal sealed class StepReplay : IDisposable
    {
        private readonly CudaGraph _graph = new CudaGraph();
        private float _recordedRate = float.NaN;

        /// <summary>Why <paramref name="plan"/> cannot be replayed, or null.</summary>
        public static string? Refusal(Plan plan)
        {
            var changing = plan.Ops.Select(o => (o.Kind, Why: OpRegistry.Get(o.Kind).ChangesEachStep)).FirstOrDefault(c => c.Why != null);
            return changing.Why == null ? null
                : $"This plan's {changing.Kind} changes every step ({changing.Why}); a recorded CUDA graph would replay one step's. Run it without UseGraph.";
        }

        /// <summary>Runs one step on <paramref name="origin"/>'s stream and waits for it: replays the graph when it was
        /// recorded at this learning rate (after <paramref name="stage"/> has put the inputs in place), else records
        /// <paramref name="enqueue"/>'s step, which then runs as the graph's first replay.</summary>
        public void Run(AcceleratorStream origin, float rate, Action stage, Action enqueue)
        {
            if (_graph.Ready && _recordedRate == rate)
                stage();
            else
            {
                _graph.Dispose();
                CudaGraph.Begin(origin);
                try { enqueue(); }
                finally { _graph.End(origin); }
                _recordedRate = rate;
            }
            _graph.Launch(origin);
            origin.Synchronize();
        }

        public void Dispose() => _graph.Dispose();
    }
}
