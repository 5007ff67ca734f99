using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>The kernel of <c>DimensionOps.cs</c>: x repeated to the shape it broadcasts to, as x·1 through the
    /// broadcasting product (exact: −0, infinities and NaN come through unchanged).</summary>
    internal static class Dimension
    {
        private static readonly float[] One = { 1f };

        [ModuleInitializer]
        internal static void Register()
            => CpuKernels.Add(OpKind.BroadcastTo, k => Broadcasting.Binary(BinaryOp.Mul, k.In(0), k.InShape(0), One, Shape.Scalar, k.Out, k.OutShape));
    }
}
