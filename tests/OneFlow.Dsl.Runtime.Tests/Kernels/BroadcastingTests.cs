using System;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Runtime.Kernels;
using Xunit;

namespace OneFlow.Dsl.Runtime.Tests.Kernels
{
    /// <summary>The broadcasting kernels against a reference that computes every element's operand indices one by one.</summary>
    public class BroadcastingTests
    {
        public static TheoryData<string, string> Pairs() => new TheoryData<string, string>
        {
            { "[3,5]", "[3,5]" }, { "[3,5]", "[5]" }, { "[5]", "[3,5]" }, { "[3,5]", "[3,1]" }, { "[4,1]", "[5]" },
            { "[2,3,5]", "[3,5]" }, { "[2,3,5]", "[2,1,5]" }, { "[2,3,5]", "[2,1,1]" }, { "[2,1,5]", "[1,3,1]" },
            { "[2,3,4,5]", "[4,1]" }, { "[3,5]", "[1]" }, { "[1]", "[2,2]" }, { "[6,1]", "[1,1]" }, { "[1,5]", "[5]" },
        };

        [Theory]
        [MemberData(nameof(Pairs))]
        public void Binary_ops_and_their_sums_match_the_reference(string a, string b)
        {
            Shape sa = Shape.Parse(a), sb = Shape.Parse(b);
            var sy = BroadcastShapes.Of(sa, sb)!;
            var x = Values(sa, 1);
            var w = Values(sb, 2);
            foreach (BinaryOp op in Enum.GetValues(typeof(BinaryOp)))
            {
                var y = new float[sy.Elements];
                Broadcasting.Binary(op, x, sa, w, sb, y, sy);
                for (int i = 0; i < y.Length; i++)
                {
                    float u = x[Source(i, sy, sa)], v = w[Source(i, sy, sb)];
                    float expected = op switch
                    {
                        BinaryOp.Add => u + v, BinaryOp.Sub => u - v, BinaryOp.Mul => u * v,
                        BinaryOp.Maximum => u > v ? u : v, BinaryOp.Minimum => u < v ? u : v, _ => u / v,
                    };
                    Assert.Equal(expected, y[i], 6);
                }
            }
            foreach (var target in new[] { sa, sb })
            {
                var g = Values(sy, 3);
                var sum = new float[target.Elements];
                Broadcasting.SumTo(g, sy, sum, target);
                var expected = new double[target.Elements];
                for (int i = 0; i < g.Length; i++) expected[Source(i, sy, target)] += g[i];
                for (int i = 0; i < sum.Length; i++) Assert.Equal(expected[i], sum[i], 4);
            }
        }

        [Fact]
        public void Shapes_that_do_not_broadcast_have_no_output_shape()
        {
            Assert.Null(BroadcastShapes.Of(new Shape(3, 5), new Shape(4)));
            Assert.Null(BroadcastShapes.Of(new Shape(2, 3), new Shape(3, 3)));
        }

        /// <summary>The operand element that output element <paramref name="index"/> reads.</summary>
        private static int Source(int index, Shape output, Shape operand)
        {
            int offset = 0, stride = 1;
            for (int k = output.Rank - 1; k >= 0; k--)
            {
                int coordinate = index % output[k];
                index /= output[k];
                int j = k - (output.Rank - operand.Rank);
                if (j < 0) continue;
                if (operand[j] != 1) offset += coordinate * stride;
                stride *= operand[j];
            }
            return offset;
        }

        private static float[] Values(Shape shape, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, (int)shape.Elements).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        }
    }
}
