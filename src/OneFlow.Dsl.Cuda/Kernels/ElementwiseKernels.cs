using System;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>Four consecutive floats, loaded and stored as one 16-byte access.</summary>
    internal readonly struct Four
    {
        public readonly float X, Y, Z, W;
        public Four(float x, float y, float z, float w) { X = x; Y = y; Z = z; W = w; }
    }

    /// <summary>The elementwise ops as ILGPU kernels, one thread per output element; the same formulas as the CPU
    /// kernels in OneFlow.Dsl.Runtime, so that a plan gives the same numbers on either backend.</summary>
    internal static class ElementwiseKernels
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
            GpuKernels.Add(OpKind.Fill, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, float>(Fill);
                return k => run(k.Stream, k.Threads, k.Out, FillOp.Value(k.Op));
            });
            GpuKernels.Add(OpKind.AddScalar, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, float, ArrayView<float>>(AddScalar);
                return k => run(k.Stream, k.Threads, k.In(0), AddScalarOp.Value(k.Op), k.Out);
            });
            GpuKernels.Add(OpKind.Accumulate, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(AccumulateMean);
                return k =>
                {
                    int n = AccumulateOp.MicroBatches(k.Op);
                    run(k.Stream, k.Threads, k.In(0), k.Out, k.Piece % n == 0 ? 1 : 0, n);
                };
            });
            GpuKernels.Map(OpKind.Relu, Relu);
            GpuKernels.Zip(OpKind.ReluGrad, ReluGrad);
            DropoutKernel(OpKind.Dropout, k => (DropoutOp.Probability(k.Op), k.Op.Output));
            DropoutKernel(OpKind.DropoutGrad, k => (DropoutGradOp.Attributes(k.Op).P, DropoutGradOp.Attributes(k.Op).MaskOf));
            GpuKernels.Add(OpKind.SumSquares, a =>
            {
                var run = a.LoadKernel<ArrayView<float>, ArrayView<float>, int>(SumSquares);
                return k => run(k.Stream, GroupReductions.OneGroup(a), k.In(0), k.Out, GpuKernelContext.Count(k.In(0)));
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

        /// <summary>Dropout of this device's part, keyed by the forward output's id and the piece.</summary>
        private static void DropoutKernel(OpKind kind, Func<GpuKernelContext, (double P, int MaskOf)> attributes)
            => GpuKernels.Add(kind, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, PartLayout, double, long, long>(Dropout);
                return k =>
                {
                    var (p, key) = attributes(k);
                    run(k.Stream, k.Threads, k.In(0), k.Out, k.Cached(c => PartLayout.Of(c.Geometry.OutputStart, c.OutShape, c.WholeOut)), p, key, k.Piece);
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
        public static void Fill(Index1D i, ArrayView<float> y, float value) => y[i] = value;

        /// <summary>y = x/n in a step's first micro-batch, y += x/n in the others: after n of them, their mean.</summary>
        public static void AccumulateMean(Index1D i, ArrayView<float> x, ArrayView<float> y, int first, int n)
            => y[i] = first == 1 ? x[i] * (1f / n) : y[i] + x[i] * (1f / n);

        public static void Relu(Index1D i, ArrayView<float> x, ArrayView<float> y) => y[i] = XMath.Max(x[i], 0f);

        public static void ReluGrad(Index1D i, ArrayView<float> dy, ArrayView<float> y, ArrayView<float> dx) => dx[i] = y[i] > 0f ? dy[i] : 0f;

        /// <summary>Dropout with the CPU kernel's mask function itself, so a GPU drops exactly the elements a CPU does.</summary>
        public static void Dropout(Index1D i, ArrayView<float> x, ArrayView<float> y, PartLayout l, double p, long key, long step)
        {
            int r = i;
            int c3 = r % l.L3; r /= l.L3;
            int c2 = r % l.L2; r /= l.L2;
            int c1 = r % l.L1;
            int c0 = r / l.L1;
            long global = (l.O0 + c0) * l.W0 + (l.O1 + c1) * l.W1 + (l.O2 + c2) * l.W2 + (l.O3 + c3) * l.W3;
            y[i] = OneFlow.Dsl.Runtime.Kernels.Dropout.Keep(key, step, global, p) ? x[i] * (float)(1 / (1 - p)) : 0f;
        }

        /// <summary>One group: Σ x², each thread's share summed in double, then the group's.</summary>
        public static void SumSquares(ArrayView<float> x, ArrayView<float> y, int count)
        {
            double sum = 0;
            for (int k = Group.IdxX; k < count; k += Group.DimX) sum += (double)x[k] * x[k];
            sum = GroupReductions.Sum(sum);
            if (Group.IdxX == 0) y[0] = (float)sum;
        }
    }
}
