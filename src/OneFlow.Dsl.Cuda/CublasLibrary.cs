using System;
using System.Runtime.InteropServices;
using System.Threading;

namespace OneFlow.Dsl.Cuda
{
    /// <summary>ILGPU.Algorithms binds cuBLAS by the names of CUDA 10–12 (libcublas.so.12 …); machines with CUDA 13
    /// ship libcublas.so.13 only. This resolver answers any cuBLAS name with whichever of .13, .12, .11 loads.</summary>
    internal static class CublasLibrary
    {
        private static int _installed;

        public static void Install()
        {
            if (Interlocked.Exchange(ref _installed, 1) == 1) return;
            NativeLibrary.SetDllImportResolver(typeof(ILGPU.Runtime.Cuda.CuBlas).Assembly, (name, _, _) =>
            {
                if (!name.Contains("cublas", StringComparison.OrdinalIgnoreCase)) return IntPtr.Zero;
                string suffix = name.Contains("Lt", StringComparison.Ordinal) ? "Lt" : "";
                foreach (string version in new[] { "13", "12", "11" })
                    if (NativeLibrary.TryLoad($"libcublas{suffix}.so.{version}", out var handle)) return handle;
                return IntPtr.Zero;
            });
        }
    }
}
