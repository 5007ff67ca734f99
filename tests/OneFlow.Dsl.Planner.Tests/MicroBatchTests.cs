using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Planner.Plan;
using Xunit;
using static OneFlow.Dsl.Planner.Tests.Specs;

namespace OneFlow.Dsl.Planner.Tests
{
    /// <summary>A training step in micro-batches: the plan is built for a micro-batch, each gradient and the loss are
    /// averaged over the step by an accumulation, and everything after it runs once per step.</summary>
    public class MicroBatchTests
    {
        /// <summary>The MLP in two pipeline stages, cpu:0-1 then cpu:2-3, with clipping so that the global norm is
        /// once-per-step work too.</summary>
        private static NetworkSpec Pipelined(int micro)
            => new NetworkSpec("Pipelined", 64, "cpu:0-1",
                Arr(W("w1", null, 784, 512), W("b1", null, 512), W("w2", null, 512, 10).On("cpu:2-3"), W("b2", null, 10).On("cpu:2-3")),
                Arr(new TensorDecl("x", DeclKind.Input, Arr(784), "S(0)")),
                Arr(Op("t0", "MatMul", "x", "w1"), Op("t1", "Add", "t0", "b1"), Op("h", "Relu", "t1"),
                    Op("t2", "MatMul", "h", "w2"), Op("t3", "Add", "t2", "b2")),
                "t3", NetworkSpec.DefaultLoss("t3"), "loss") { MicroBatches = micro };

        private static Plan.Plan Compile(int micro) => NetworkPlanner.Compile(Pipelined(micro), PlanMode.Train, update: UpdateRule.Adam, clip: true);

        [Fact]
        public void Inputs_are_micro_batches_and_the_host_feeds_the_whole_batch()
        {
            var p = Compile(4);
            var x = p.Tensors.Single(t => t.Name == "x");
            Assert.Equal("[16,784]", x.Shape.ToString());
            Assert.Equal("[64,784]", p.StepShape(x).ToString());
            Assert.Equal("[16]", p.Tensors.Single(t => t.Name == "labels").Shape.ToString());
            Assert.Equal(4, p.MicroBatches);
            // Inference runs the whole batch in one piece.
            Assert.Equal("[64,784]", NetworkPlanner.Compile(Pipelined(4), PlanMode.Infer).Tensors.Single(t => t.Name == "x").Shape.ToString());
        }

        [Fact]
        public void Every_gradient_and_the_loss_are_averaged_and_what_follows_runs_once_per_step()
        {
            var p = Compile(4);
            var means = p.Ops.Where(o => o.Kind == OpKind.Accumulate).ToList();
            Assert.Equal(5, means.Count);
            Assert.All(means, o => Assert.Equal(4, AccumulateOp.MicroBatches(o)));
            Assert.Equal(OpKind.Accumulate, p.Ops.Single(o => o.Output == p.Output).Kind);
            var once = p.OncePerStep();
            foreach (var op in p.Ops)
            {
                bool update = op.IsUpdate, norm = op.Kind == OpKind.SumSquares;
                if (update || norm) Assert.True(once[op.Id], op.Origin);
                if (op.Kind == OpKind.MatMul || op.Kind == OpKind.Accumulate) Assert.False(once[op.Id], op.Origin);
            }
            // Activations cross between the stages every micro-batch, the global norm once per step.
            Assert.False(once[p.Ops.Single(o => o.Collective == Collective.Transfer && p.Tensors[o.Inputs[0]].Name == "h").Id]);
            // The gradients of the data-parallel layer are all-reduced once per step, after the accumulation.
            Assert.All(p.Ops.Where(o => o.Collective == Collective.AllReduce), o => Assert.True(once[o.Id], o.Origin));
            // Sums over micro-batches live through the step; activations get two slots, so stages overlap.
            Assert.All(p.Registers.Where(r => p.Tensors[r.Tensor].Role == TensorRole.Accumulated), r => Assert.True(r.Persistent));
            Assert.All(p.Registers.Where(r => p.Tensors[r.Tensor].Role == TensorRole.Activation), r => Assert.Equal(2, r.Slots));
        }

        [Fact]
        public void The_report_gives_the_stages_and_the_expected_bubble()
        {
            Assert.Contains("pipeline: 2 stages (cpu:0-1 -> cpu:2-3), 4 micro-batches per step; expected bubble 20.0% of each stage's step", PlanReport.Write(Compile(4)));
            Assert.Contains("pipeline: 2 stages (cpu:0-1 -> cpu:2-3), 1 micro-batch per step; expected bubble 50.0% of each stage's step", PlanReport.Write(Compile(1)));
        }

        [Fact]
        public void The_plan_text_keeps_the_micro_batches()
        {
            var p = Compile(4);
            string text = PlanText.Write(p);
            string head = text.Split('\n')[1];
            Assert.StartsWith("plan Pipelined Train cpu:0-1 output=", head);
            Assert.EndsWith(" micro=4", head);
            var back = PlanText.Read(text);
            Assert.Equal(4, back.MicroBatches);
            Assert.Equal(text, PlanText.Write(back));
            Assert.DoesNotContain("micro=", PlanText.Write(Compile(1)).Split('\n')[1]);
        }

        [Fact]
        public void A_reshape_written_for_the_whole_batch_says_to_write_minus_one()
        {
            var spec = Pipelined(4) with
            {
                Forward = Arr(new OpDecl("r", "Reshape", Arr("x")) { Args = Arr(64.0, 784.0) }, Op("t0", "MatMul", "r", "w1"), Op("t1", "Add", "t0", "b1"),
                    Op("h", "Relu", "t1"), Op("t2", "MatMul", "h", "w2"), Op("t3", "Add", "t2", "b2")),
            };
            var e = Assert.Throws<PlanException>(() => NetworkPlanner.Compile(spec, PlanMode.Train));
            Assert.Contains("x is [16,784] (12544 elements) but [64,784] holds 50176; write -1 for the axis that takes the rest", e.Message);
            Assert.NotNull(NetworkPlanner.Compile(spec with { Forward = Arr(new OpDecl("r", "Reshape", Arr("x")) { Args = Arr(-1.0, 784.0) },
                Op("t0", "MatMul", "r", "w1"), Op("t1", "Add", "t0", "b1"), Op("h", "Relu", "t1"), Op("t2", "MatMul", "h", "w2"), Op("t3", "Add", "t2", "b2")) }, PlanMode.Train));
        }

        [Fact]
        public void Micro_batches_that_do_not_divide_the_batch_are_refused_with_the_fix()
        {
            var e = Assert.Throws<PlanException>(() => Compile(5));
            Assert.Equal("MicroBatches", e.Subject);
            Assert.Contains("MicroBatches = 5 does not divide Batch = 64 into equal micro-batches; choose a divisor of the batch.", e.Message);
        }
    }
}
