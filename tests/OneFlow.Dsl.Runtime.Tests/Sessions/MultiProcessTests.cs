using System;
using System.Linq;
using System.Threading.Tasks;
using OneFlow.Dsl.Planner;
using OneFlow.Dsl.Planner.Model;
using Xunit;

namespace OneFlow.Dsl.Runtime.Tests.Sessions
{
    /// <summary>A plan spread over several processes ("N/cpu:0-3"), each process a thread with its own session
    /// here: only its devices run in it, boxing between processes goes through the transport, and the losses equal
    /// those of the same plan in one process.</summary>
    public class MultiProcessTests
    {
        private static NetworkSpec Mlp(string placement, string? x, string? w1, string? b1, string? w2)
            => new NetworkSpec("Mlp", 8, placement,
                Arr(W("w1", w1, 12, 16), W("b1", b1, 16), W("w2", w2, 16, 5), W("b2", null, 5)),
                Arr(new TensorDecl("x", DeclKind.Input, Arr(12), x)),
                Arr(Op("t0", "MatMul", "x", "w1"), Op("t1", "Add", "t0", "b1"), Op("h", "Relu", "t1"),
                    Op("t2", "MatMul", "h", "w2"), Op("y", "Add", "t2", "b2")),
                "y", NetworkSpec.DefaultLoss("y"), "loss");

        private static TensorDecl W(string name, string? sbp, params int[] dims) => new TensorDecl(name, DeclKind.Weight, Arr(dims), sbp);
        private static OpDecl Op(string output, string op, params string[] inputs) => new OpDecl(output, op, Arr(inputs));
        private static EquatableArray<T> Arr<T>(params T[] items) where T : IEquatable<T> => new EquatableArray<T>(items);

        private static float[] Train(PlanSession session, float[][] weights)
        {
            var plan = session.Plan;
            session.LearningRate = 0.3f;
            foreach (var (w, i) in plan.Weights.Select((w, i) => (w, i))) session.Write(w.Id, weights[i]);
            int x = plan.Tensors.Single(t => t.Name == "x").Id, labels = plan.Tensors.Single(t => t.Name == "labels").Id;
            var losses = new float[8];
            for (int step = 0; step < losses.Length; step++)
            {
                session.Feed(x, Enumerable.Range(0, 96).Select(i => (float)Math.Sin(i * 0.37 + step)).ToArray());
                session.Feed(labels, Enumerable.Range(0, 8).Select(i => (i + step) % 5).ToArray());
                session.Run();
                losses[step] = session.ReadScalar(plan.Output);
            }
            return losses;
        }

        [Theory]
        [InlineData(2, "S(0)", null, null, null)]
        [InlineData(4, "S(0)", null, null, null)]
        [InlineData(2, null, "S(1)", "S(0)", "S(0)")]
        [InlineData(4, null, "S(1)", "S(0)", "S(0)")]
        [InlineData(3, "S(0)", null, null, null)]
        [InlineData(4, "S(0)", "B", "B", "B")]
        public void Processes_train_like_one(int ranks, string? x, string? w1, string? b1, string? w2)
        {
            var single = NetworkPlanner.Compile(Mlp("cpu:0-3", x, w1, b1, w2), PlanMode.Train);
            var spread = NetworkPlanner.Compile(Mlp($"{ranks}/cpu:0-3", x, w1, b1, w2), PlanMode.Train);
            Assert.Equal(ranks, spread.DeviceMap.Ranks);
            var random = new Random(4);
            var weights = single.Weights.Select(w => Enumerable.Range(0, (int)w.Shape.Elements).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray()).ToArray();
            float[] expected;
            using (var session = new PlanSession(single)) expected = Train(session, weights);

            var world = new ThreadWorld(ranks);
            var results = new float[ranks][];
            var trainedW1 = new float[ranks][];
            Parallel.For(0, ranks, new ParallelOptions { MaxDegreeOfParallelism = ranks }, rank =>
            {
                using var session = new PlanSession(spread, world.Rank(rank));
                results[rank] = Train(session, weights);
                trainedW1[rank] = new float[12 * 16];
                session.Read(spread.Weights.First().Id, trainedW1[rank]);
            });
            foreach (var losses in results)
                for (int i = 0; i < expected.Length; i++)
                    Assert.True(Math.Abs(expected[i] - losses[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"step {i}: {expected[i]} in one process, {losses[i]} across {ranks}");
            for (int rank = 1; rank < ranks; rank++) Assert.Equal(trainedW1[0], trainedW1[rank]);
        }

        /// <summary>Bags of three ids averaged from a table split by vocabulary, then a head: the lookups are an
        /// exchange of ids and rows between the devices, and back of the rows' gradients.</summary>
        private static NetworkSpec Clicks(string placement, UpdateRule update)
            => new NetworkSpec("Clicks", 8, placement,
                Arr(W("table", "S(0)", 40, 6), W("head", null, 6, 3)),
                Arr(new TensorDecl("ids", DeclKind.Ids, Arr(3), null)),
                Arr(new OpDecl("e", "EmbeddingBag", Arr("ids", "table")) { Args = new EquatableArray<double>(new double[] { 1 }) },
                    Op("h", "Relu", "e"), Op("y", "MatMul", "h", "head")),
                "y", NetworkSpec.DefaultLoss("y"), "loss") { Update = update };

        [Theory]
        [InlineData(2, UpdateRule.Sgd)]
        [InlineData(4, UpdateRule.Adam)]
        public void Vocabulary_split_tables_exchange_rows_between_processes_as_between_threads(int ranks, UpdateRule update)
        {
            var single = NetworkPlanner.Compile(Clicks("cpu:0-3", update), PlanMode.Train);
            var spread = NetworkPlanner.Compile(Clicks($"{ranks}/cpu:0-3", update), PlanMode.Train);
            Assert.Contains(spread.Ops, o => o.Kind == Planner.Ops.OpKind.RowGather);
            var random = new Random(8);
            var weights = single.Weights.Select(w => Enumerable.Range(0, (int)w.Shape.Elements).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray()).ToArray();
            float[] TrainClicks(PlanSession session)
            {
                var plan = session.Plan;
                session.LearningRate = 0.2f;
                foreach (var (w, i) in plan.Weights.Select((w, i) => (w, i))) session.Write(w.Id, weights[i]);
                int ids = plan.Tensors.Single(t => t.Name == "ids").Id, labels = plan.Tensors.Single(t => t.Name == "labels").Id;
                var draws = new Random(9);
                var losses = new float[6];
                for (int step = 0; step < losses.Length; step++)
                {
                    session.Optimizer.Step = step + 1;
                    // Half the lookups from five popular ids: duplicates within and across devices.
                    session.Feed(ids, Enumerable.Range(0, 24).Select(_ => draws.Next(2) == 0 ? draws.Next(5) : draws.Next(40)).ToArray());
                    session.Feed(labels, Enumerable.Range(0, 8).Select(_ => draws.Next(3)).ToArray());
                    session.Run();
                    losses[step] = session.ReadScalar(plan.Output);
                }
                return losses;
            }
            float[] expected;
            using (var session = new PlanSession(single)) expected = TrainClicks(session);

            var world = new ThreadWorld(ranks);
            var results = new float[ranks][];
            Parallel.For(0, ranks, new ParallelOptions { MaxDegreeOfParallelism = ranks }, rank =>
            {
                using var session = new PlanSession(spread, world.Rank(rank));
                results[rank] = TrainClicks(session);
            });
            foreach (var losses in results)
                for (int i = 0; i < expected.Length; i++)
                    Assert.True(Math.Abs(expected[i] - losses[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"step {i}: {expected[i]} in one process, {losses[i]} across {ranks}");
        }

        [Fact]
        public void A_plan_for_another_number_of_processes_is_refused()
        {
            var plan = NetworkPlanner.Compile(Mlp("2/cpu:0-3", "S(0)", null, null, null), PlanMode.Train);
            var e = Assert.Throws<ArgumentException>(() => new PlanSession(plan, new ThreadWorld(4).Rank(0)));
            Assert.Contains("2 processes, but 4 were started", e.Message);
        }
    }
}
