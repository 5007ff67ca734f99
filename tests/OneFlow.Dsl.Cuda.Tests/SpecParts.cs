using System;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Cuda.Tests
{
    /// <summary>Short builders for the network specs these tests plan by hand (they do not use the generator).</summary>
    internal static class SpecParts
    {
        public static TensorDecl W(string name, string? sbp, string? placement, params int[] dims)
            => new TensorDecl(name, DeclKind.Weight, Arr(dims), sbp) { Placement = placement };

        public static OpDecl Op(string output, string op, params string[] inputs) => new OpDecl(output, op, Arr(inputs));

        /// <summary>The statement run on <paramref name="placement"/>, as one written in a placed module is.</summary>
        public static OpDecl At(this OpDecl op, string? placement) => op with { Placement = placement };

        public static OpDecl Args(this OpDecl op, params double[] args) => op with { Args = Arr(args) };

        public static EquatableArray<T> Arr<T>(params T[] items) where T : IEquatable<T> => new EquatableArray<T>(items);
    }
}
