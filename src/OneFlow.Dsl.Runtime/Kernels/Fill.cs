using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>A constant tensor (<c>FillOp.cs</c>).</summary>
    internal static class Fill
    {
        [ModuleInitializer]
        internal static void Register() => CpuKernels.Add(OpKind.Fill, k => k.Out.Fill(FillOp.Value(k.Op)));
    }
}
