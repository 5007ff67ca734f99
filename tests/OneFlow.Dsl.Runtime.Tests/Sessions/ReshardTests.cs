using System;
using System.Linq;
using OneFlow.Dsl.Planner;
using OneFlow.Dsl.Planner.Model;
using Xunit;

namespace OneFlow.Dsl.Runtime.Tests.Sessions
{
    /// <summary>Every boxing transition as a physical op in a running plan: a tensor fed in one layout, converted by
    /// the plan's boxing actors (collectives, local ops, transfers between placements), and read back equal to what
    /// was fed — within one placement, between disjoint and overlapping placements of different sizes, and between
    /// a list of devices and a 2-D mesh. The shape [10, 6] splits unevenly over 3 and 4 devices.</summary>
    public class ReshardTests
    {
        private static readonly Shape Shape = new Shape(10, 6);

        public static TheoryData<string, string, string, string> Transitions()
        {
            var data = new TheoryData<string, string, string, string>();
            string[] sbps = { "S(0)", "S(1)", "B", "P" };
            (string, string)[] placements = { ("cpu:0-3", "cpu:0-3"), ("cpu:0-1", "cpu:2-4"), ("cpu:0-2", "cpu:1-3"), ("cpu:1", "cpu:0-2") };
            foreach (var (a, b) in placements)
                foreach (string from in sbps)
                    foreach (string to in sbps)
                        data.Add(from, a, to, b);
            data.Add("S(0),S(1)", "2x2:cpu", "S(1)", "cpu:4-5");
            data.Add("P", "cpu:4-5", "S(0),B", "2x2:cpu");
            data.Add("B", "cpu:0-3", "S(1),S(0)", "2x2:cpu");
            data.Add("P,S(1)", "2x2:cpu", "B", "cpu:1-2");
            return data;
        }

        [Theory]
        [MemberData(nameof(Transitions))]
        public void The_tensor_arrives_whole(string from, string fromPlacement, string to, string toPlacement)
        {
            Placement a = Placement.Parse(fromPlacement), b = Placement.Parse(toPlacement);
            NdSbp source = NdSbp.Parse(from), target = NdSbp.Parse(to);
            // A partial tensor cannot be fed; it is made on the device from a split one, so each part differs.
            var layouts = source.Parts.Any(p => p.IsPartial)
                ? new[] { (Split(a), a), (source, a), (target, b) }
                : new[] { (source, a), (target, b) };
            var plan = NetworkPlanner.Reshard(Shape, layouts);
            var expected = a.Equals(b) ? Collectives.KindOf(source, target) : Collective.Transfer;
            if (expected != Collective.None) Assert.Equal(expected, plan.Ops[^1].Collective);

            var x = Enumerable.Range(0, (int)Shape.Elements).Select(i => (float)Math.Sin(1 + i * 0.7)).ToArray();
            var y = new float[x.Length];
            using var session = new PlanSession(plan);
            for (int run = 0; run < 2; run++)
            {
                session.Feed(plan.Ops[0].Output, x);
                session.Run();
                session.Read(plan.Output, y);
                for (int i = 0; i < x.Length; i++) Assert.Equal(x[i], y[i], 6);
            }
        }

        private static NdSbp Split(Placement p) => new NdSbp(Enumerable.Range(0, p.MeshRank).Select(k => Sbp.S(k % 2)).ToArray());
    }
}
