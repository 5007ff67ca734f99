using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>The arithmetic of <c>ArithmeticOps.cs</c>: a + b, a − b, a · b, a / b broadcasting (see
    /// <see cref="Broadcasting"/>), the sum that undoes a broadcast, −x, c · x and x + c, vectorised by TensorPrimitives.</summary>
    internal static class Arithmetic
    {
        [ModuleInitializer]
        internal static void Register()
        {
            CpuKernels.Add(OpKind.Add, k => Broadcasting.Binary(BinaryOp.Add, k));
            CpuKernels.Add(OpKind.Sub, k => Broadcasting.Binary(BinaryOp.Sub, k));
            CpuKernels.Add(OpKind.Mul, k => Broadcasting.Binary(BinaryOp.Mul, k));
            CpuKernels.Add(OpKind.Div, k => Broadcasting.Binary(BinaryOp.Div, k));
            CpuKernels.Add(OpKind.SumTo, k => Broadcasting.SumTo(k.In(0), k.InShape(0), k.Out, k.OutShape));
            CpuKernels.Add(OpKind.Neg, k => Neg(k.In(0), k.Out));
            CpuKernels.Add(OpKind.Scale, k => Scale(k.In(0), ScaleOp.Factor(k.Op), k.Out));
            CpuKernels.Add(OpKind.AddScalar, k => TensorPrimitives.Add(k.In(0), AddScalarOp.Value(k.Op), k.Out));
        }

        public static void Neg(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Negate(x, y);

        public static void Scale(ReadOnlySpan<float> x, float c, Span<float> y) => TensorPrimitives.Multiply(x, c, y);
    }
}
