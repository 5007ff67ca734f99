using System;
using System.Runtime.InteropServices;

namespace OneFlow.Dsl.Runtime
{
    /// <summary>One device's memory: a single aligned block whose size the memory plan fixed at build time;
    /// every register is an offset into it, so a step allocates nothing.</summary>
    internal sealed unsafe class DeviceArena : IDisposable
    {
        public long Bytes { get; }
        public byte* Base { get; private set; }

        public DeviceArena(long bytes)
        {
            Bytes = bytes;
            Base = (byte*)NativeMemory.AlignedAlloc((nuint)Math.Max(bytes, 64), 64);
            NativeMemory.Clear(Base, (nuint)Math.Max(bytes, 64));
        }

        public void Dispose()
        {
            if (Base == null) return;
            NativeMemory.AlignedFree(Base);
            Base = null;
        }
    }
}
