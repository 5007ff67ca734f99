using System.Collections.Generic;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl
{
    /// <summary>Short constructors for <see cref="NetworkSpec"/>, so that generated code reads like the class it
    /// came from.</summary>
    public static class SpecBuilder
    {
        public static NetworkSpec Network(string name, int batch, string placement, TensorDecl[] weights, TensorDecl[] inputs,
            OpDecl[] forward, string forwardOutput, OpDecl[] loss, string lossOutput)
            => new NetworkSpec(name, batch, placement, new EquatableArray<TensorDecl>(weights), new EquatableArray<TensorDecl>(inputs),
                new EquatableArray<OpDecl>(forward), forwardOutput, new EquatableArray<OpDecl>(loss), lossOutput);

        public static TensorDecl Weight(string name, string? sbp, params int[] dims) => new TensorDecl(name, DeclKind.Weight, new EquatableArray<int>(dims), sbp);

        public static TensorDecl Buffer(string name, string? sbp, params int[] dims) => new TensorDecl(name, DeclKind.Buffer, new EquatableArray<int>(dims), sbp);

        public static TensorDecl Input(string name, string? sbp, params int[] dims) => new TensorDecl(name, DeclKind.Input, new EquatableArray<int>(dims), sbp);

        public static TensorDecl Ids(string name, string? sbp, params int[] dims) => new TensorDecl(name, DeclKind.Ids, new EquatableArray<int>(dims), sbp);

        /// <summary>The declaration placed on <paramref name="placement"/> rather than the network's placement.</summary>
        public static TensorDecl On(this TensorDecl decl, string placement) => decl with { Placement = placement };

        /// <summary>The statement run on <paramref name="placement"/>: it was written in a placed module.</summary>
        public static OpDecl On(this OpDecl statement, string placement) => statement with { Placement = placement };

        /// <summary>The statement as written in module instance <paramref name="module"/> ("blocks.2").</summary>
        public static OpDecl In(this OpDecl statement, string module) => statement with { Module = module };

        public static OpDecl Op(string output, string op, params string[] inputs) => new OpDecl(output, op, new EquatableArray<string>(inputs));

        /// <summary>A statement with constant arguments after its tensors, e.g. <c>Dropout(h, 0.1)</c>.</summary>
        public static OpDecl OpWithArgs(string output, string op, string[] inputs, params double[] args)
            => new OpDecl(output, op, new EquatableArray<string>(inputs)) { Args = new EquatableArray<double>(args) };
    }
}
