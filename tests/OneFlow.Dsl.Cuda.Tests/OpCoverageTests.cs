using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using OneFlow.Dsl.Cuda.Kernels;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Runtime.Kernels;
using OneFlow.Dsl.Testing;
using Xunit;

namespace OneFlow.Dsl.Cuda.Tests
{
    /// <summary>Every op kind is complete, so that nothing about an op can drift: a definition, a CPU and a GPU kernel
    /// (unless a session carries it out itself), an eager form for what users call, a gradient rule or a stated reason
    /// for none, a sample checked against finite differences where it differentiates, and a sample the GPU is tested
    /// against the CPU on.</summary>
    public class OpCoverageTests
    {
        public static IEnumerable<object[]> Kinds => Enum.GetValues<OpKind>().Select(k => new object[] { k });

        [Theory]
        [MemberData(nameof(Kinds))]
        public void Every_op_kind_is_complete(OpKind kind)
        {
            var def = OpRegistry.Get(kind);
            Assert.Equal(kind, def.Kind);
            var missing = Missing(def).ToList();
            Assert.True(missing.Count == 0, $"{kind} lacks: {string.Join("; ", missing)}.");
        }

        private static IEnumerable<string> Missing(OpDef def)
        {
            var kind = def.Kind;
            if (def.RunsAsKernel && !CpuKernels.Has(kind)) yield return "a CPU kernel (Runtime/Kernels)";
            if (def.RunsAsKernel && !GpuKernels.Has(kind)) yield return "a GPU kernel (Cuda/Kernels)";
            if (def.UserName != null && !HasEagerForm(def.UserName, kind)) yield return $"an eager form (Ops.{def.UserName} or a Tensor operator)";
            if (def is CompositeOp)
            {
                // Its parts have the kernels and gradient rules; the composite needs a sample whose gradient is checked.
                if (!OpSamples.All.Any(s => s.Kind == kind)) yield return "a finite-difference gradient check of its parts together (a sample in tests/Shared/OpSamples.cs)";
                yield break;
            }
            bool rule = def.GetType().GetMethod(nameof(OpDef.Backward))!.DeclaringType != typeof(OpDef);
            if (rule == (def.NotDifferentiable != null)) yield return rule ? "one of a gradient rule and a reason to have none, not both" : "a gradient rule (Backward) or a reason to have none (NotDifferentiable)";
            if (rule && !OpSamples.All.Any(s => s.Kind == kind && s.Differentiable)) yield return "a finite-difference gradient check (a sample in tests/Shared/OpSamples.cs)";
            if (def.RunsAsKernel && !OpSamples.All.Any(s => s.Kind == kind)) yield return "a GPU-against-CPU kernel test (a sample in tests/Shared/OpSamples.cs)";
        }

        /// <summary>A public method of <c>Ops</c> by the op's name, or a tensor operator that lowers to it.</summary>
        private static bool HasEagerForm(string name, OpKind kind)
            => typeof(Ops).GetMethods(BindingFlags.Public | BindingFlags.Static).Any(m => m.Name == name)
               || "+-*/".SelectMany(op => new[] { true, false }.SelectMany(first => ScalarArithmetic.Steps(op, first, 2))).Any(step => step.Op == kind);

        [Fact]
        public void Op_names_users_write_are_unique_and_resolve()
        {
            foreach (var def in OpRegistry.All.Where(d => d.UserName != null))
            {
                Assert.True(OpRegistry.TryGetUserOp(def.UserName!, out var kind));
                Assert.Equal(def.Kind, kind);
            }
        }

        /// <summary>Opening a session on a plan whose op a backend lacks fails at once, naming the op and the backend.</summary>
        [Fact]
        public void A_missing_kernel_is_named_when_asked_for()
        {
            var e = Assert.Throws<NotSupportedException>(() => CpuKernels.For(OpKind.Boxing));
            Assert.Equal("The CPU backend has no kernel for Boxing.", e.Message);
            e = Assert.Throws<NotSupportedException>(() => GpuKernels.Describe(OpKind.Input));
            Assert.Equal("The GPU backend has no kernel for Input.", e.Message);
        }
    }
}
