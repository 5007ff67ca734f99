using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Planner.Passes
{
    public enum PlanMode { Train, Infer }

    /// <summary>Turns a <see cref="NetworkSpec"/> into the logical graph of its forward pass (and loss, for
    /// training), inferring every shape and checking every annotation on the way.</summary>
    public static class GraphBuilder
    {
        public static LogicalGraph Build(NetworkSpec spec, Placement placement, PlanMode mode, List<PlanWarning> warnings, out int output)
        {
            if (spec.Batch <= 0) throw new PlanException(PlanErrorKind.BadDeclaration, "Batch", $"Batch must be positive, but is {spec.Batch}.");
            var g = new LogicalGraph();
            var names = new Dictionary<string, int>();
            foreach (var w in spec.Weights)
                Declare(g, names, w, new Shape(w.Dims.ToArray()), TensorRole.Weight, Sbp.B, placement, warnings);
            foreach (var x in spec.Inputs)
                Declare(g, names, x, new Shape(new[] { spec.Batch }.Concat(x.Dims).ToArray()), TensorRole.Input, Sbp.S(0), placement, warnings);
            foreach (var x in spec.Inputs.Where(i => i.Kind == DeclKind.Ids)) g.Tensor(names[x.Name]).DType = DType.I32;
            if (spec.Inputs.Count == 0) throw new PlanException(PlanErrorKind.MissingInput, "Forward", "Forward takes no [Input] parameter; give it at least one.");

            if (mode == PlanMode.Train)
            {
                var labels = g.AddOp(OpKind.Input, new int[0], NetworkSpec.LabelsName, TensorRole.Label, "labels");
                var t = g.Tensor(labels.Output);
                t.Shape = new Shape(spec.Batch);
                t.DType = DType.I32;
                // Labels travel with the rows of the first input so that the loss needs no transfer.
                var first = g.Tensor(names[spec.Inputs[0].Name]);
                t.Sbp = new NdSbp(first.Sbp.Parts.Select(p => p.IsSplit && p.Axis == 0 ? Sbp.S(0) : Sbp.B).ToArray());
                t.Free = true;
                names[NetworkSpec.LabelsName] = t.Id;
            }

            AddStatements(g, names, spec.Forward, mode);
            output = Lookup(names, spec.ForwardOutput, "Forward's return value");
            WarnUnused(g, warnings);
            if (mode == PlanMode.Infer) return g;

            AddStatements(g, names, spec.Loss, mode);
            output = Lookup(names, spec.LossOutput, "Loss's return value");
            var loss = g.Tensor(output);
            if (loss.Shape.Rank != 0)
                throw new PlanException(PlanErrorKind.BadLoss, "Loss", $"The loss must be a scalar, but {loss.Name} is {loss.Shape}.");
            loss.Role = TensorRole.Loss;
            return g;
        }

        private static void WarnUnused(LogicalGraph g, List<PlanWarning> warnings)
        {
            foreach (var w in g.Tensors.Where(t => t.Role == TensorRole.Weight && !g.Consumers(t.Id).Any()))
                warnings.Add(new PlanWarning(PlanWarningKind.UnusedWeight, w.Name,
                    $"Weight {w.Name} is declared but Forward never uses it; use it or remove the field."));
        }

        private static void Declare(LogicalGraph g, Dictionary<string, int> names, TensorDecl decl, Shape shape,
            TensorRole role, Sbp defaultSbp, Placement placement, List<PlanWarning> warnings)
        {
            if (names.ContainsKey(decl.Name)) throw new PlanException(PlanErrorKind.BadDeclaration, decl.Name, $"'{decl.Name}' is declared twice.");
            if (decl.Dims.Count == 0 && role == TensorRole.Weight)
                throw new PlanException(PlanErrorKind.BadDeclaration, decl.Name + ":dims", $"Weight {decl.Name} has no shape; write its dimensions, e.g. [Weight(784, 512)].");
            if (decl.Dims.Any(d => d <= 0))
                throw new PlanException(PlanErrorKind.BadDeclaration, decl.Name + ":dims", $"{decl.Name} has a dimension that is not positive: {shape}.");
            NdSbp sbp = ParseSbp(decl, shape, defaultSbp, placement);
            if (decl.Sbp != null && Enumerable.Range(0, placement.Count).Select(d => Partition.LocalShape(shape, sbp, placement, d)).Distinct().Count() > 1)
                warnings.Add(new PlanWarning(PlanWarningKind.UnevenSplit, decl.Name + ":sbp",
                    $"{decl.Name} {shape} split {sbp} over {placement} ({placement.Count} devices): {SplitText(shape, sbp, placement)}, so the parts " +
                    "differ in size and the devices with larger parts set the pace."));
            LogicalTensor t;
            if (role == TensorRole.Input)
                t = g.Tensor(g.AddOp(OpKind.Input, new int[0], decl.Name, role, decl.Name).Output);
            else
                t = g.AddTensor(decl.Name, shape, DType.F32, role);
            t.Shape = shape;
            t.Sbp = sbp;
            t.Free = decl.Sbp == null;
            names[decl.Name] = t.Id;
        }

        /// <summary>The declared SBP, one per mesh axis; unannotated tensors start from the default on the first
        /// mesh axis (SBP selection may change them) and broadcast on the others.</summary>
        private static NdSbp ParseSbp(TensorDecl decl, Shape shape, Sbp defaultSbp, Placement placement)
        {
            if (decl.Sbp == null)
            {
                var start = NdSbp.Broadcast(placement.MeshRank).With(0, defaultSbp);
                return Fits(shape, start, placement) ? start : NdSbp.Broadcast(placement.MeshRank);
            }
            string subject = decl.Name + ":sbp";
            if (!NdSbp.TryParse(decl.Sbp, out var sbp))
                throw new PlanException(PlanErrorKind.SbpSyntax, subject, $"Sbp(\"{decl.Sbp}\") on {decl.Name} does not parse: write \"S(axis)\", \"B\" or \"P\".");
            // On one device every layout is the whole tensor: a mesh network re-planned for one device keeps its annotations.
            if (sbp.Rank != placement.MeshRank && placement.Count > 1)
                throw new PlanException(PlanErrorKind.SbpSyntax, subject,
                    $"{decl.Name} gives {sbp.Rank} SBP{(sbp.Rank == 1 ? "" : "s")} but the placement {placement} has {placement.MeshRank} mesh axes; give one per axis, e.g. Sbp(\"S(0)\", \"B\").");
            foreach (var part in sbp.Parts)
            {
                if (part.IsPartial)
                    throw new PlanException(PlanErrorKind.SbpSyntax, subject, $"{decl.Name} cannot be declared P: a weight or input holds whole values; use S(axis) or B.");
                if (part.IsSplit && part.Axis >= shape.Rank)
                    throw new PlanException(PlanErrorKind.SbpAxisOutOfRange, subject, $"Sbp S({part.Axis}) on {decl.Name} {shape}: axis {part.Axis} is out of range for a rank-{shape.Rank} tensor.");
            }
            if (placement.Count == 1) return NdSbp.Broadcast(placement.MeshRank);
            if (!Fits(shape, sbp, placement))
                throw new PlanException(PlanErrorKind.SplitTooSmall, subject,
                    $"{decl.Name} {shape} split {sbp} has fewer than {placement.Count} rows for {placement.Count} devices; split less or use B.");
            return sbp;
        }

        /// <summary>True when every device's part has at least one element along every axis.</summary>
        public static bool Fits(Shape shape, NdSbp sbp, Placement placement)
            => Enumerable.Range(0, placement.Count).All(d => Partition.LocalShape(shape, sbp, placement, d).ToArray().All(n => n > 0));

        private static string SplitText(Shape shape, NdSbp sbp, Placement placement)
            => string.Join("; ", Enumerable.Range(0, placement.MeshRank).Where(k => sbp[k].IsSplit)
                .Select(k => $"{shape[sbp[k].Axis]} is not a multiple of {placement.Mesh[k]}"));

        private static void AddStatements(LogicalGraph g, Dictionary<string, int> names, EquatableArray<OpDecl> statements, PlanMode mode)
        {
            foreach (var s in statements)
            {
                if (!OpRegistry.TryGetUserOp(s.Op, out var kind))
                    throw new PlanException(PlanErrorKind.UnknownValue, s.Output, $"'{s.Op}' is not an op of OneFlow.Dsl.Ops; see OneFlow.Dsl.Ops for the ops a plan can hold.");
                int[] inputs = s.Inputs.Select(n => Lookup(names, n, s.Output)).ToArray();
                // Inference keeps every unit: dropout is the identity there.
                if (kind == OpKind.Dropout && mode == PlanMode.Infer && inputs.Length == 1) { names[s.Output] = inputs[0]; continue; }
                string origin = $"{s.Output} = {s.Op}({string.Join(", ", s.Inputs)})";
                names[s.Output] = g.AddOp(kind, inputs, s.Output, TensorRole.Activation, origin, subject: s.Output, args: s.Args.ToArray()).Output;
            }
        }

        private static int Lookup(Dictionary<string, int> names, string name, string subject)
            => names.TryGetValue(name, out int id)
                ? id
                : throw new PlanException(PlanErrorKind.UnknownValue, subject, $"'{name}' is neither a weight, an input nor a value computed before it.");
    }
}
