using System;
using System.Linq;
using OneFlow.Dsl.Testing;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>Every op's gradient rule — the one the planner's autograd applies — against central finite
    /// differences, on the samples of <see cref="OpSamples"/>, run eagerly (the same definition and kernels).</summary>
    public class OpGradientTests
    {
        [Theory]
        [MemberData(nameof(OpSamples.Gradients), MemberType = typeof(OpSamples))]
        public void The_gradient_rule_matches_finite_differences(string name)
        {
            var sample = OpSamples.Named(name);
            var leaves = sample.Inputs(seed: 3).Select((data, i) => data is int[] ids
                ? (sample.Operands[i].Mask ? Tensor.Mask(ids, sample.Operands[i].Shape.ToArray()) : Tensor.From(ids, sample.Operands[i].Shape.ToArray()))
                : Tensor.From((float[])data, sample.Operands[i].Shape.ToArray())).ToArray();
            // A fixed call number keeps dropout's mask the same in every evaluation.
            Tensor Output() => Eager.Run(sample.Kind, sample.Attributes, sample.Derive?.Invoke(leaves) ?? leaves, call: 1);
            FiniteDifferences.Check(Output, leaves.Where((l, i) => !l.IsInteger && !sample.Constants.Contains(i)).ToArray());
        }
    }
}
