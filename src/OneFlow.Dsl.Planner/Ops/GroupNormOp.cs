using System.Linq;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>The groups and ε of a group norm.</summary>
    internal sealed record GroupNormAttributes(int Groups, double Eps) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Int("groups", Groups).Double("eps", Eps);
    }

    /// <summary><c>F.group_norm(x, groups, γ, β, eps)</c> over x [N, C, …]: each sample's channels in groups, each group
    /// normalised over its channels and positions, then each channel scaled and shifted. Written as a layer norm of
    /// x seen as [N, groups, rest], reshaped back, times γ and plus β laid along the channels; so its gradient, SBP
    /// (samples split, or whole) and kernels are those parts'.</summary>
    internal sealed class GroupNormOp : CompositeOp
    {
        public override string UserName => "GroupNorm";
        public override string[] Operands => new[] { "x", "gamma", "beta" };

        public override OpAttributes FromCall(string subject, double[] args)
            => args.Length >= 1 && args.Length <= 2 && args[0] >= 1 && (args.Length == 1 || args[1] > 0)
                ? new GroupNormAttributes((int)args[0], args.Length == 2 ? args[1] : 1e-5)
                : throw BadCall(subject, "GroupNorm takes the number of groups (at least 1) and a positive eps after x.");

        public override int Expand(CompositeBuilder b, int[] inputs, OpAttributes? attributes)
        {
            var (groups, eps) = (GroupNormAttributes)attributes!;
            int x = inputs[0];
            var xs = b.ShapeOf(x);
            if (xs.Rank < 2)
                throw b.Mismatch($"GroupNorm: {b.NameOf(x)} is {xs} but must be [N, C, …].");
            int channels = xs[1];
            if (channels % groups != 0)
                throw b.Mismatch($"GroupNorm: {b.NameOf(x)} {xs} has {channels} channels, which {groups} groups do not divide.");
            for (int i = 1; i < 3; i++)
                if (!b.ShapeOf(inputs[i]).Equals(new Shape(channels)))
                    throw b.Mismatch($"GroupNorm: {(i == 1 ? "gamma" : "beta")} {b.NameOf(inputs[i])} is {b.ShapeOf(inputs[i])} but {b.NameOf(x)} {xs} has {channels} channels; declare it [Weight({channels}{(i == 1 ? ", Fill = 1" : "")})].");
            long rest = xs.Elements / xs[0] / groups;
            int grouped = b.Add(OpKind.Reshape, new[] { x }, "grouped", new ReshapeAttributes(new long[] { -1, groups, rest }));
            int normalised = b.Add(OpKind.LayerNorm, new[] { grouped }, "normalised", new LayerNormAttributes(eps));
            var back = xs.ToArray().Select(d => (long)d).ToArray();
            back[0] = -1;
            int shaped = b.Add(OpKind.Reshape, new[] { normalised }, "shaped", new ReshapeAttributes(back));
            var perChannel = new long[xs.Rank - 1];
            perChannel[0] = channels;
            for (int k = 1; k < perChannel.Length; k++) perChannel[k] = 1;
            int gamma = b.Add(OpKind.Reshape, new[] { inputs[1] }, "gamma", new ReshapeAttributes(perChannel));
            int beta = b.Add(OpKind.Reshape, new[] { inputs[2] }, "beta", new ReshapeAttributes(perChannel));
            return b.Add(OpKind.Add, new[] { b.Add(OpKind.Mul, new[] { shaped, gamma }, "scaled"), beta }, "norm");
        }
    }
}
