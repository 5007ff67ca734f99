using System;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>Dropout and its gradient (<c>DropoutOp.cs</c>), one thread per element, with the CPU's mask.</summary>
    internal static class DropoutKernels
    {
        [ModuleInitializer]
        internal static void Register()
        {
            DropoutKernel(OpKind.Dropout, k => (DropoutOp.Probability(k.Op), k.Op.Output));
            DropoutKernel(OpKind.DropoutGrad, k => (DropoutGradOp.Attributes(k.Op).P, DropoutGradOp.Attributes(k.Op).MaskOf));
        }

        /// <summary>Dropout of this device's part, keyed by the forward output's id and the piece (a step's value, read
        /// from the device so that a replayed step draws its own mask).</summary>
        private static void DropoutKernel(OpKind kind, Func<GpuKernelContext, (double P, int MaskOf)> attributes)
            => GpuKernels.Add(kind, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, PartLayout, double, long, ArrayView<float>>(Dropout);
                return k =>
                {
                    var (p, key) = attributes(k);
                    run(k.Stream, k.Threads, k.In(0), k.Out, k.Cached(c => PartLayout.Of(c.Geometry.OutputStart, c.OutShape, c.WholeOut)), p, key, k.StepValues);
                };
            });

        /// <summary>Dropout with the CPU kernel's mask function itself, so a GPU drops exactly the elements a CPU does.</summary>
        public static void Dropout(Index1D i, ArrayView<float> x, ArrayView<float> y, PartLayout l, double p, long key, ArrayView<float> values)
        {
            long step = StepValues.Piece(values);
            int r = i;
            int c3 = r % l.L3; r /= l.L3;
            int c2 = r % l.L2; r /= l.L2;
            int c1 = r % l.L1;
            int c0 = r / l.L1;
            long global = (l.O0 + c0) * l.W0 + (l.O1 + c1) * l.W1 + (l.O2 + c2) * l.W2 + (l.O3 + c3) * l.W3;
            y[i] = OneFlow.Dsl.Runtime.Kernels.Dropout.Keep(key, step, global, p) ? x[i] * (float)(1 / (1 - p)) : 0f;
        }
    }
}
