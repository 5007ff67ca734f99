using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>The arithmetic of <c>ArithmeticOps.cs</c>, one thread per output element, with the CPU's formulas
    /// (<see cref="Runtime.Kernels.Arithmetic"/>) so that a plan gives the same numbers on either backend.</summary>
    internal static class ArithmeticKernels
    {
        public const int Add = 0, Sub = 1, Mul = 2, Div = 3;

        [ModuleInitializer]
        internal static void Register()
        {
            Broadcasting(OpKind.Add, Add);
            Broadcasting(OpKind.Sub, Sub);
            Broadcasting(OpKind.Mul, Mul);
            Broadcasting(OpKind.Div, Div);
            GpuKernels.Add(OpKind.SumTo, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, SumLayout>(SumTo);
                return k => run(k.Stream, k.Threads, k.In(0), k.Out, k.Cached(c => SumLayout.Of(c.InShape(0), c.OutShape)));
            });
            GpuKernels.Map(OpKind.Neg, Neg);
            GpuKernels.Add(OpKind.Scale, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, float, ArrayView<float>>(Scale);
                return k => run(k.Stream, k.Threads, k.In(0), ScaleOp.Factor(k.Op), k.Out);
            });
            GpuKernels.Add(OpKind.AddScalar, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, float, ArrayView<float>>(AddScalar);
                return k => run(k.Stream, k.Threads, k.In(0), AddScalarOp.Value(k.Op), k.Out);
            });
        }

        /// <summary>Equal shapes whose length divides by four go four floats per thread (every register starts on a
        /// 64-byte boundary, so the 16-byte loads are aligned); the rest through the broadcasting kernel.</summary>
        private static void Broadcasting(OpKind kind, int op)
            => GpuKernels.Add(kind, a =>
            {
                var general = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, BroadcastLayout, int>(Binary);
                var four = a.LoadAutoGroupedKernel<Index1D, ArrayView<Four>, ArrayView<Four>, ArrayView<Four>, int>(BinaryFour);
                return k =>
                {
                    int n = k.Threads;
                    if (k.In(0).Length == n && k.In(1).Length == n && n % 4 == 0)
                        four(k.Stream, n / 4, k.In(0).SubView(0, n).Cast<Four>(), k.In(1).SubView(0, n).Cast<Four>(), k.Out.SubView(0, n).Cast<Four>(), op);
                    else
                        general(k.Stream, n, k.In(0), k.In(1), k.Out, k.Cached(c => BroadcastLayout.Of(c.InShape(0), c.InShape(1), c.OutShape)), op);
                };
            });

        public static void Binary(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y, BroadcastLayout l, int op)
        {
            int r = i;
            int c3 = r % l.D3; r /= l.D3;
            int c2 = r % l.D2; r /= l.D2;
            int c1 = r % l.D1;
            int c0 = r / l.D1;
            float u = a[c0 * l.A0 + c1 * l.A1 + c2 * l.A2 + c3 * l.A3];
            float v = b[c0 * l.B0 + c1 * l.B1 + c2 * l.B2 + c3 * l.B3];
            y[i] = op == Add ? u + v : op == Sub ? u - v : op == Mul ? u * v : u / v;
        }

        /// <summary>Equal shapes, four floats per thread: 16-byte loads are what reaches the memory's bandwidth.</summary>
        public static void BinaryFour(Index1D i, ArrayView<Four> a, ArrayView<Four> b, ArrayView<Four> y, int op)
        {
            Four u = a[i], v = b[i];
            y[i] = op == Add ? new Four(u.X + v.X, u.Y + v.Y, u.Z + v.Z, u.W + v.W)
                 : op == Sub ? new Four(u.X - v.X, u.Y - v.Y, u.Z - v.Z, u.W - v.W)
                 : op == Mul ? new Four(u.X * v.X, u.Y * v.Y, u.Z * v.Z, u.W * v.W)
                 : new Four(u.X / v.X, u.Y / v.Y, u.Z / v.Z, u.W / v.W);
        }

        /// <summary>One thread per output element, summing the input elements that were broadcast from it.</summary>
        public static void SumTo(Index1D i, ArrayView<float> x, ArrayView<float> y, SumLayout l)
        {
            int r = i;
            int p3 = l.R3 == 1 ? 0 : r % l.X3; if (l.R3 == 0) r /= l.X3;
            int p2 = l.R2 == 1 ? 0 : r % l.X2; if (l.R2 == 0) r /= l.X2;
            int p1 = l.R1 == 1 ? 0 : r % l.X1; if (l.R1 == 0) r /= l.X1;
            int p0 = l.R0 == 1 ? 0 : r;
            float sum = 0f;
            for (int c0 = p0; c0 < (l.R0 == 1 ? l.X0 : p0 + 1); c0++)
                for (int c1 = p1; c1 < (l.R1 == 1 ? l.X1 : p1 + 1); c1++)
                    for (int c2 = p2; c2 < (l.R2 == 1 ? l.X2 : p2 + 1); c2++)
                        for (int c3 = p3; c3 < (l.R3 == 1 ? l.X3 : p3 + 1); c3++)
                            sum += x[c0 * l.S0 + c1 * l.S1 + c2 * l.S2 + c3 * l.S3];
            y[i] = sum;
        }

        public static void Neg(Index1D i, ArrayView<float> x, ArrayView<float> y) => y[i] = -x[i];
        public static void Scale(Index1D i, ArrayView<float> x, float c, ArrayView<float> y) => y[i] = c * x[i];
        public static void AddScalar(Index1D i, ArrayView<float> x, float c, ArrayView<float> y) => y[i] = x[i] + c;
    }
}
