using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Planner.Plan;
using Xunit;
using static OneFlow.Dsl.Planner.Tests.Specs;

namespace OneFlow.Dsl.Planner.Tests
{
    /// <summary>A face-recognition head: 128 features per sample against a million classes, its weight split by columns
    /// over four devices. Softmax cross-entropy stays split by class: no device holds the [N, C] logits whole, and only
    /// [N]-sized vectors cross devices.</summary>
    public class ClassSplitHeadTests
    {
        private static NetworkSpec Head(int classes, string placement = "cpu:0-3")
            => new NetworkSpec("Head", 8, placement, Arr(W("head", "S(1)", 128, classes)),
                Arr(new TensorDecl("x", DeclKind.Input, Arr(128), null)),
                Arr(Op("logits", "MatMul", "x", "head")), "logits", NetworkSpec.DefaultLoss("logits"), "loss");

        [Fact]
        public void A_million_class_head_keeps_its_logits_split_and_holds_a_quarter_of_its_weight_per_device()
        {
            var plan = NetworkPlanner.Compile(Head(1_000_000), PlanMode.Train);
            var logits = plan.Tensors.Single(t => t.Name == "logits");
            Assert.Equal(Sbp.S(1), logits.Sbp[0]);
            var boxed = plan.Ops.Where(o => o.Kind == OpKind.Boxing).Select(o => plan.Tensors[o.Inputs[0]]).ToList();
            Assert.DoesNotContain(boxed, t => t.Shape.Elements >= 1_000_000);
            // What crosses devices: the chunk maxima [8, 4], the sums of exponentials and the picked logits [8], the labels.
            Assert.All(boxed, t => Assert.True(t.Shape.Elements <= 32, $"{t.Name} {t.Shape} is boxed"));
            var head = plan.Tensors.Single(t => t.Name == "head");
            for (int d = 0; d < 4; d++) Assert.Equal(head.Bytes / 4, plan.RegisterOf(head.Id, d).LocalShape.Elements * 4);
            // The gradient of the logits is split like them.
            var picked = plan.Ops.Single(o => o.Kind == OpKind.PickClassGrad);
            Assert.Equal(Sbp.S(1), plan.Tensors[picked.Output].Sbp[0]);
            Assert.Contains("device 3 (cpu:3): peak ", PlanReport.Write(plan));
        }

        [Fact]
        public void A_head_split_by_rows_computes_its_rows_losses_where_they_are()
        {
            var plan = NetworkPlanner.Compile(Mlp(), PlanMode.Train);
            var logits = plan.Tensors.Single(t => t.Name == "t3");
            Assert.Equal(Sbp.S(0), logits.Sbp[0]);
            var producers = plan.Ops.Where(o => o.Kind == OpKind.Boxing).Select(b => plan.Ops.FirstOrDefault(o => o.Output == b.Inputs[0])?.Kind);
            Assert.DoesNotContain(producers, k => k is OpKind.ChunkMax or OpKind.SumExp or OpKind.PickClass or OpKind.MaxLast);
        }
    }
}
