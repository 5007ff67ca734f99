using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using ILGPU;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Planner.Plan;
using OneFlow.Dsl.Runtime.Kernels;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>How one op kind runs on a GPU: <see cref="Load"/> compiles its ILGPU kernels for an accelerator and
    /// returns what an act enqueues; <see cref="Launches"/> counts an instance's launches per act (one where null), and
    /// <see cref="Scratch"/> how many floats of scratch memory an instance needs beyond the workspace the plan gives
    /// every backend (allocated when the session opens); <see cref="Table"/> makes the ints an instance reads (a fused group's program), copied to the device when the
    /// session opens, so that no copy happens inside a step a graph records.</summary>
    internal sealed record GpuKernel(Func<Accelerator, Action<GpuKernelContext>> Load, Func<OpGeometry, int>? Launches = null, Func<OpGeometry, long>? Scratch = null,
        Func<GpuKernelContext, int[]>? Table = null);

    /// <summary>The GPU backend's kernel per op kind. Each kernel file adds its own from a module initializer, beside
    /// the ILGPU code it launches; an accelerator compiles a kind's kernels the first time a session needs them, and
    /// a session looks every op up when it opens, so a missing kernel is named before anything runs.</summary>
    internal sealed class GpuKernels
    {
        private static readonly Dictionary<OpKind, GpuKernel> ByKind = new Dictionary<OpKind, GpuKernel>();

        private readonly Accelerator _accelerator;
        private readonly ConcurrentDictionary<OpKind, Action<GpuKernelContext>> _loaded = new ConcurrentDictionary<OpKind, Action<GpuKernelContext>>();

        public GpuKernels(Accelerator accelerator) => _accelerator = accelerator;

        internal static void Add(OpKind kind, Func<Accelerator, Action<GpuKernelContext>> load, Func<OpGeometry, int>? launches = null, Func<OpGeometry, long>? scratch = null,
            Func<GpuKernelContext, int[]>? table = null)
            => ByKind.Add(kind, new GpuKernel(load, launches, scratch, table));

        /// <summary>An elementwise op with one input: one thread per element.</summary>
        internal static void Map(OpKind kind, Action<Index1D, ArrayView<float>, ArrayView<float>> kernel)
            => Add(kind, a =>
            {
                var run = a.LoadAutoGroupedKernel(kernel);
                return k => run(k.Stream, k.Threads, k.In(0), k.Out);
            });

        /// <summary>An elementwise op of two inputs of the output's shape (dy and a saved tensor): one thread per element.</summary>
        internal static void Zip(OpKind kind, Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> kernel)
            => Add(kind, a =>
            {
                var run = a.LoadAutoGroupedKernel(kernel);
                return k => run(k.Stream, k.Threads, k.In(0), k.In(1), k.Out);
            });

        /// <summary>An elementwise op of one input with two constants from its attributes (a clamp's bounds, a slope and nothing).</summary>
        internal static void Map(OpKind kind, Action<Index1D, ArrayView<float>, float, float, ArrayView<float>> kernel, Func<PlanOp, (float, float)> constants)
            => Add(kind, a =>
            {
                var run = a.LoadAutoGroupedKernel(kernel);
                return k =>
                {
                    var (c0, c1) = constants(k.Op);
                    run(k.Stream, k.Threads, k.In(0), c0, c1, k.Out);
                };
            });

        /// <summary>An elementwise gradient of (dy, a saved tensor) with two constants from its attributes.</summary>
        internal static void Zip(OpKind kind, Action<Index1D, ArrayView<float>, ArrayView<float>, float, float, ArrayView<float>> kernel, Func<PlanOp, (float, float)> constants)
            => Add(kind, a =>
            {
                var run = a.LoadAutoGroupedKernel(kernel);
                return k =>
                {
                    var (c0, c1) = constants(k.Op);
                    run(k.Stream, k.Threads, k.In(0), k.In(1), c0, c1, k.Out);
                };
            });

        internal static bool Has(OpKind kind) => ByKind.ContainsKey(kind);

        internal static GpuKernel Describe(OpKind kind)
            => ByKind.TryGetValue(kind, out var kernel) ? kernel : throw new NotSupportedException($"The GPU backend has no kernel for {kind}.");

        /// <summary>The kind's kernel compiled for this accelerator.</summary>
        internal Action<GpuKernelContext> For(OpKind kind) => _loaded.GetOrAdd(kind, k => Describe(k).Load(_accelerator));
    }
}
