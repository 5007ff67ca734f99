using System;
using System.Linq;
using OneFlow.Dsl.Planner;
using OneFlow.Dsl.Planner.Model;
using Xunit;

namespace OneFlow.Dsl.Runtime.Tests.Sessions
{
    /// <summary>A plan run directly by its session: registers with two slots alternate between them from step to
    /// step and give the losses of one-slot registers.</summary>
    public class PlanSessionTests
    {
        private static NetworkSpec Mlp(string placement) => new NetworkSpec("Mlp", 8, placement,
            Arr(W("w1", 12, 16), W("b1", 16), W("w2", 16, 5)),
            Arr(new TensorDecl("x", DeclKind.Input, Arr(12), null)),
            Arr(Op("t0", "MatMul", "x", "w1"), Op("t1", "Add", "t0", "b1"), Op("h", "Relu", "t1"), Op("y", "MatMul", "h", "w2")),
            "y", NetworkSpec.DefaultLoss("y"), "loss");

        private static TensorDecl W(string name, params int[] dims) => new TensorDecl(name, DeclKind.Weight, Arr(dims), null);
        private static OpDecl Op(string output, string op, params string[] inputs) => new OpDecl(output, op, Arr(inputs));
        private static EquatableArray<T> Arr<T>(params T[] items) where T : IEquatable<T> => new EquatableArray<T>(items);

        private static float[] Losses(string placement, int slots)
        {
            var plan = NetworkPlanner.Compile(Mlp(placement), PlanMode.Train, registerSlots: slots);
            using var session = new PlanSession(plan) { LearningRate = 0.2f };
            var random = new Random(5);
            foreach (var w in plan.Weights)
                session.Write(w.Id, Enumerable.Range(0, (int)w.Shape.Elements).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray());
            int x = plan.Tensors.Single(t => t.Name == "x").Id, labels = plan.Tensors.Single(t => t.Name == "labels").Id;
            var losses = new float[6];
            for (int step = 0; step < losses.Length; step++)
            {
                session.Feed(x, Enumerable.Range(0, 96).Select(i => (float)Math.Sin(i + step)).ToArray());
                session.Feed(labels, Enumerable.Range(0, 8).Select(i => (i + step) % 5).ToArray());
                session.Run();
                losses[step] = session.ReadScalar(plan.Output);
            }
            return losses;
        }

        [Theory]
        [InlineData("cpu:0")]
        [InlineData("cpu:0-3")]
        [InlineData("2x2:cpu")]
        public void Two_slot_registers_train_like_one_slot_registers(string placement)
        {
            var one = Losses(placement, 1);
            var two = Losses(placement, 2);
            Assert.True(one[^1] < one[0], "the loss should fall");
            for (int i = 0; i < one.Length; i++) Assert.Equal(one[i], two[i], 5);
        }

        [Theory]
        [InlineData("cpu:0-3")]
        [InlineData("2x2:cpu")]
        public void Several_devices_train_like_one(string placement)
        {
            var one = Losses("cpu:0", 1);
            var many = Losses(placement, 1);
            for (int i = 0; i < one.Length; i++) Assert.True(Math.Abs(one[i] - many[i]) <= 1e-5 * Math.Abs(one[i]), $"step {i}: {many[i]} on {placement}, {one[i]} on one device");
        }
    }
}
