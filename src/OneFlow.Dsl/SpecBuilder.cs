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

        /// <summary>Sizes a network's weights and buffers (<paramref name="state"/>, created for <paramref name="compiled"/>)
        /// as <paramref name="spec"/> declares them, drawing those of another size again from <paramref name="seed"/>;
        /// <paramref name="spec"/> must be the same network but for sizes, placements, SBPs and the batch. Returns it.</summary>
        public static NetworkSpec Resize(NetworkSpec compiled, NetworkSpec spec, IReadOnlyList<(string Name, Tensor Value)> state, int seed)
        {
            static string Names(IEnumerable<TensorDecl> decls) => string.Join(", ", System.Linq.Enumerable.Select(decls, d => $"{d.Kind} {d.Name}"));
            if (Names(spec.Weights) != Names(compiled.Weights) || Names(spec.Inputs) != Names(compiled.Inputs)
                || !System.Linq.Enumerable.SequenceEqual(System.Linq.Enumerable.Select(spec.Forward, o => (o.Output, o.Op, o.Inputs, o.Args)),
                    System.Linq.Enumerable.Select(compiled.Forward, o => (o.Output, o.Op, o.Inputs, o.Args))))
                throw new System.ArgumentException($"The spec given is not {compiled.Name} with other sizes: its weights, inputs and Forward must be {compiled.Name}'s " +
                    $"(make it from {compiled.Name}.Spec, e.g. with WithWeight).", nameof(spec));
            foreach (var decl in spec.Weights)
            {
                var value = System.Linq.Enumerable.First(state, s => s.Name == decl.Name).Value;
                var dims = decl.Dims.ToArray();
                if (System.Linq.Enumerable.SequenceEqual(value.Shape, dims)) continue;
                value.Replace(decl.Kind == DeclKind.Buffer ? WeightInit.Buffer(decl.Fill ?? 0, dims)
                    : decl.Fill is double fill ? WeightInit.Filled(fill, dims)
                    : WeightInit.Create(seed, decl.Name, decl.Init == null ? Init.Default : (Init)System.Enum.Parse(typeof(Init), decl.Init), decl.Scale, dims));
            }
            return spec;
        }

        /// <summary>The statement as written in module instance <paramref name="module"/> ("blocks.2").</summary>
        public static OpDecl In(this OpDecl statement, string module) => statement with { Module = module };

        public static OpDecl Op(string output, string op, params string[] inputs) => new OpDecl(output, op, new EquatableArray<string>(inputs));

        /// <summary>A statement with constant arguments after its tensors, e.g. <c>Dropout(h, 0.1)</c>.</summary>
        public static OpDecl OpWithArgs(string output, string op, string[] inputs, params double[] args)
            => new OpDecl(output, op, new EquatableArray<string>(inputs)) { Args = new EquatableArray<double>(args) };
    }
}
