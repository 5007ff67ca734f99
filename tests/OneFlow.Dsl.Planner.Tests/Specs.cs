using System.Linq;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Tests
{
    /// <summary>Networks written as the generator would read them.</summary>
    internal static class Specs
    {
        /// <summary>The README's MLP: 784-512-10, with the SBPs given (null = default).</summary>
        public static NetworkSpec Mlp(string placement = "cpu:0-3", string? x = "S(0)", string? w1 = "S(1)", string? b1 = "S(0)",
            string? w2 = "S(0)", string? b2 = null, int batch = 64)
            => new NetworkSpec("Mlp", batch, placement,
                Arr(W("w1", w1, 784, 512), W("b1", b1, 512), W("w2", w2, 512, 10), W("b2", b2, 10)),
                Arr(new TensorDecl("x", DeclKind.Input, Arr(784), x)),
                Arr(Op("t0", "MatMul", "x", "w1"), Op("t1", "Add", "t0", "b1"), Op("h", "Relu", "t1"),
                    Op("t2", "MatMul", "h", "w2"), Op("t3", "Add", "t2", "b2")),
                "t3", NetworkSpec.DefaultLoss("t3"), "loss");

        public static TensorDecl W(string name, string? sbp, params int[] dims) => new TensorDecl(name, DeclKind.Weight, Arr(dims), sbp);
        public static TensorDecl On(this TensorDecl decl, string placement) => decl with { Placement = placement };
        public static OpDecl Op(string output, string op, params string[] inputs) => new OpDecl(output, op, Arr(inputs));
        public static EquatableArray<T> Arr<T>(params T[] items) where T : System.IEquatable<T> => new EquatableArray<T>(items);
    }
}
