using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Runtime.Kernels
{
    /// <summary>The CPU backend's kernel per op kind. Each kernel file adds its own from a module initializer, beside
    /// the code it runs; a session looks every op up when it opens, so a missing kernel is named before anything runs.</summary>
    internal static class CpuKernels
    {
        private static readonly Dictionary<OpKind, Action<CpuKernelContext>> Table = new Dictionary<OpKind, Action<CpuKernelContext>>();

        internal static void Add(OpKind kind, Action<CpuKernelContext> kernel) => Table.Add(kind, kernel);

        public static bool Has(OpKind kind) => Table.ContainsKey(kind);

        public static Action<CpuKernelContext> For(OpKind kind)
            => Table.TryGetValue(kind, out var kernel) ? kernel : throw new NotSupportedException($"The CPU backend has no kernel for {kind}.");

        /// <summary>Runs one op on whole tensors in host arrays (float[], or int[] for labels, ids and positions): eager
        /// calls and kernel tests. Inputs the op updates in place are changed in their arrays.</summary>
        public static unsafe void RunWhole(CpuKernelContext context, Array[] inputs, Array? output)
        {
            var pins = new GCHandle[inputs.Length + 1];
            var geometry = context.Geometry;
            long workspace = OpRegistry.Get(context.Op.Kind).WorkspaceElements(context.Op, geometry.Inputs, geometry.Output);
            void* scratch = workspace > 0 ? NativeMemory.AlignedAlloc((nuint)(workspace * sizeof(float)), 64) : null;
            context.SetWorkspace(scratch);
            try
            {
                for (int i = 0; i < inputs.Length; i++)
                {
                    pins[i] = GCHandle.Alloc(inputs[i], GCHandleType.Pinned);
                    context.SetInput(i, (void*)pins[i].AddrOfPinnedObject());
                }
                if (output != null)
                {
                    pins[inputs.Length] = GCHandle.Alloc(output, GCHandleType.Pinned);
                    context.SetOutput((void*)pins[inputs.Length].AddrOfPinnedObject());
                }
                For(context.Op.Kind)(context);
            }
            finally
            {
                foreach (var pin in pins) if (pin.IsAllocated) pin.Free();
                if (scratch != null) NativeMemory.AlignedFree(scratch);
            }
        }
    }
}
