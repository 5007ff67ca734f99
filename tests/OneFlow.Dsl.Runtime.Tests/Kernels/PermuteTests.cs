using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Runtime.Kernels;
using Xunit;

namespace OneFlow.Dsl.Runtime.Tests.Kernels
{
    /// <summary>Permute against a reference that finds each output element's source from its coordinates: every
    /// permutation of four axes (those that keep trailing axes in place copy runs, the others elements), and shapes
    /// with axes of one.</summary>
    public class PermuteTests
    {
        public static IEnumerable<object[]> Cases()
        {
            foreach (var axes in Permutations(new[] { 0, 1, 2, 3 })) yield return new object[] { "[2,3,4,5]", axes };
            yield return new object[] { "[3,1,2]", new[] { 1, 0, 2 } };
            yield return new object[] { "[7]", new[] { 0 } };
            yield return new object[] { "[2,1,3,1]", new[] { 2, 1, 0, 3 } };
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Permute_matches_the_coordinate_reference(string shapeText, int[] axes)
        {
            var shape = Shape.Parse(shapeText);
            var x = Enumerable.Range(0, (int)shape.Elements).Select(i => (float)i).ToArray();
            var y = new float[x.Length];
            Layout.Permute(x, shape, axes, y);
            var outShape = axes.Select(a => shape[a]).ToArray();
            var coordinates = new int[shape.Rank];
            for (int o = 0; o < y.Length; o++)
            {
                int rest = o;
                for (int i = shape.Rank - 1; i >= 0; i--) { coordinates[axes[i]] = rest % outShape[i]; rest /= outShape[i]; }
                int source = 0;
                for (int k = 0; k < shape.Rank; k++) source = source * shape[k] + coordinates[k];
                Assert.True(x[source] == y[o], $"permute {string.Join(",", axes)} of {shapeText}: y[{o}] = {y[o]}, not x[{source}] = {x[source]}");
            }
        }

        private static IEnumerable<int[]> Permutations(int[] items)
        {
            if (items.Length == 1) { yield return items; yield break; }
            foreach (int first in items)
                foreach (var rest in Permutations(items.Where(i => i != first).ToArray()))
                    yield return new[] { first }.Concat(rest).ToArray();
        }
    }
}
