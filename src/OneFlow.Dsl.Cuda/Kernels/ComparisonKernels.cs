using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>The comparisons' masks by the relation <see cref="ComparisonOp.Holds"/> states, one thread per element:
    /// with a number, or reading two operands by their broadcast strides.</summary>
    internal static class ComparisonKernels
    {
        [ModuleInitializer]
        internal static void Register()
        {
            foreach (var kind in new[] { OpKind.Gt, OpKind.Lt, OpKind.Ge, OpKind.Le, OpKind.Eq, OpKind.Ne })
            {
                int relation = (int)((ComparisonOp)OpRegistry.Get(kind)).Relation;
                GpuKernels.Add(kind, a =>
                {
                    var withNumber = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, float, ArrayView<int>, int>(WithNumber);
                    var pairwise = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, BroadcastLayout, int>(Pairwise);
                    return k =>
                    {
                        if (k.Geometry.Inputs.Length == 1) withNumber(k.Stream, k.Threads, k.In(0), ComparisonOp.Value(k.Op), k.Out.Cast<int>(), relation);
                        else pairwise(k.Stream, k.Threads, k.In(0), k.In(1), k.Out.Cast<int>(), k.Cached(c => BroadcastLayout.Of(c.InShape(0), c.InShape(1), c.OutShape)), relation);
                    };
                });
            }
        }

        public static void WithNumber(Index1D i, ArrayView<float> x, float value, ArrayView<int> mask, int relation)
            => mask[i] = ComparisonOp.Holds(relation, x[i], value) ? 1 : 0;

        public static void Pairwise(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<int> mask, BroadcastLayout l, int relation)
        {
            BroadcastLayout.Offsets(i, l, out int ao, out int bo);
            mask[i] = ComparisonOp.Holds(relation, a[ao], b[bo]) ? 1 : 0;
        }
    }
}
