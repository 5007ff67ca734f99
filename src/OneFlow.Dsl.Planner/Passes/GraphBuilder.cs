using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Planner.Passes
{
    /// <summary>Turns a <see cref="NetworkSpec"/> into the logical graph of its forward pass (and loss, for
    /// training), inferring every shape and checking every annotation on the way.</summary>
    internal static class GraphBuilder
    {
        public static LogicalGraph Build(NetworkSpec spec, Placement placement, PlanMode mode, List<PlanWarning> warnings, out int output)
        {
            int batch = RowsPerPiece(spec, mode);
            var g = new LogicalGraph();
            var names = new Dictionary<string, int>();
            var declared = new List<(LogicalTensor Tensor, TensorDecl Decl, Sbp Default)>();
            // Inputs without a placement of their own are fed wherever their first consumer runs.
            var floating = new HashSet<int>();
            foreach (var w in spec.Weights)
                declared.Add((Declare(g, names, w, new Shape(w.Dims.ToArray()), w.Kind == DeclKind.Buffer ? TensorRole.Buffer : TensorRole.Weight,
                    PlacementOf(w) ?? placement), w, Sbp.B));
            foreach (var x in spec.Inputs)
            {
                var at = PlacementOf(x);
                var t = Declare(g, names, x, new Shape(new[] { batch }.Concat(x.Dims).ToArray()), TensorRole.Input, at ?? placement);
                if (at == null) floating.Add(t.Id);
                if (x.Kind == DeclKind.Ids) t.DType = DType.I32;
                declared.Add((t, x, Sbp.S(0)));
            }
            if (spec.Inputs.Count == 0) throw new PlanException(PlanErrorKind.MissingInput, "Forward", "Forward takes no [Input] parameter; give it at least one.");

            LogicalTensor? labels = null;
            if (mode == PlanMode.Train)
            {
                labels = g.Tensor(g.AddOp(OpKind.Input, new int[0], NetworkSpec.LabelsName, TensorRole.Label, "labels", placement).Output);
                labels.Shape = new Shape(new[] { batch }.Concat(spec.LabelDims).ToArray());
                labels.DType = AreClassIds(spec) ? DType.I32 : DType.F32;
                floating.Add(labels.Id);
                names[NetworkSpec.LabelsName] = labels.Id;
            }

            AddStatements(g, names, spec.Forward, mode, placement, floating);
            output = Lookup(names, spec.ForwardOutput, "Forward's return value");
            if (mode == PlanMode.Train)
            {
                AddStatements(g, names, spec.Loss, mode, placement, floating);
                output = Lookup(names, spec.LossOutput, "Loss's return value");
                var loss = g.Tensor(output);
                if (loss.Shape.Rank != 0)
                    throw new PlanException(PlanErrorKind.BadLoss, spec.Loss.Any(s => s.Output == spec.LossOutput) ? spec.LossOutput : "Loss",
                        $"The loss must be a scalar, but this is {loss.Shape}; reduce it, e.g. with Mean(...) over each axis, or use a loss op such as MseLoss.");
                loss.Role = TensorRole.Loss;
            }
            PlacementRules.PlaceFloating(g, floating, placement);
            foreach (var (t, decl, start) in declared) LayOut(t, Refit(t, decl, mode), start, warnings);
            if (labels != null) LayOutLabels(labels, g.Tensor(names[spec.Inputs[0].Name]));
            WarnUnused(g, warnings);
            return g;
        }

        /// <summary>The labels hold integer class ids where the loss says so (<c>[Ids]</c>) or hands them to an
        /// operand that takes integers (SoftmaxCrossEntropy's labels); otherwise they are float targets.</summary>
        private static bool AreClassIds(NetworkSpec spec)
            => spec.LabelIds || spec.Loss.Any(s => OpRegistry.TryGetUserOp(s.Op, out var kind)
                                                   && OpRegistry.Get(kind).IntegerOperands.Any(i => i < s.Inputs.Count && s.Inputs[i] == NetworkSpec.LabelsName));

        /// <summary>The rows of one piece: a training step's micro-batch, or the whole batch.</summary>
        private static int RowsPerPiece(NetworkSpec spec, PlanMode mode)
        {
            if (spec.Batch <= 0) throw new PlanException(PlanErrorKind.BadDeclaration, "Batch", $"Batch must be positive, but is {spec.Batch}.");
            if (spec.MicroBatches <= 0 || spec.Batch % spec.MicroBatches != 0)
                throw new PlanException(PlanErrorKind.BadDeclaration, "MicroBatches",
                    $"MicroBatches = {spec.MicroBatches} does not divide Batch = {spec.Batch} into equal micro-batches; choose a divisor of the batch.");
            return mode == PlanMode.Train ? spec.Batch / spec.MicroBatches : spec.Batch;
        }

        /// <summary>Labels travel with the rows of the first input, so that the loss needs no transfer.</summary>
        private static void LayOutLabels(LogicalTensor labels, LogicalTensor first)
        {
            labels.Free = true;
            if (labels.Placement.Equals(first.Placement))
                labels.Sbp = new NdSbp(first.Sbp.Parts.Select(p => p.IsSplit && p.Axis == 0 ? Sbp.S(0) : Sbp.B).ToArray());
            else
                labels.Sbp = DefaultSbp(labels.Shape, Sbp.S(0), labels.Placement);
        }

        private static Placement? PlacementOf(TensorDecl decl) => decl.Placement == null ? null : ParsePlacement(decl.Placement, decl.Name);

        private static Placement ParsePlacement(string text, string subject)
            => Placement.TryParse(text, out var parsed, out string error)
                ? parsed!
                : throw new PlanException(PlanErrorKind.PlacementSyntax, subject + ":placement", $"{subject}: {error}");

        private static void WarnUnused(LogicalGraph g, List<PlanWarning> warnings)
        {
            foreach (var w in g.Tensors.Where(t => t.IsState && !g.Consumers(t.Id).Any()))
                warnings.Add(new PlanWarning(PlanWarningKind.UnusedWeight, w.Name,
                    $"{(w.Role == TensorRole.Buffer ? "Buffer" : "Weight")} {w.Name} is declared but Forward never uses it; use it or remove the field."));
        }

        private static LogicalTensor Declare(LogicalGraph g, Dictionary<string, int> names, TensorDecl decl, Shape shape, TensorRole role, Placement placement)
        {
            if (names.ContainsKey(decl.Name)) throw new PlanException(PlanErrorKind.BadDeclaration, decl.Name, $"'{decl.Name}' is declared twice.");
            if (decl.Dims.Count == 0 && role != TensorRole.Input)
                throw new PlanException(PlanErrorKind.BadDeclaration, decl.Name + ":dims", $"{decl.Kind} {decl.Name} has no shape; write its dimensions, e.g. [{decl.Kind}(784, 512)].");
            if (decl.Dims.Any(d => d <= 0))
                throw new PlanException(PlanErrorKind.BadDeclaration, decl.Name + ":dims", $"{decl.Name} has a dimension that is not positive: {shape}.");
            LogicalTensor t;
            if (role == TensorRole.Input)
                t = g.Tensor(g.AddOp(OpKind.Input, new int[0], decl.Name, role, decl.Name, placement).Output);
            else
                t = g.AddTensor(decl.Name, shape, DType.F32, role);
            t.Shape = shape;
            t.Placement = placement;
            names[decl.Name] = t.Id;
            return t;
        }

        /// <summary>An inference batch too small for its input's declared split (fewer rows than devices) leaves the
        /// input's layout to SBP selection, which only considers layouts that fit.</summary>
        private static TensorDecl Refit(LogicalTensor t, TensorDecl decl, PlanMode mode)
            => mode == PlanMode.Infer && t.Role == TensorRole.Input && decl.Sbp != null && NdSbp.TryParse(decl.Sbp, out var sbp)
               && sbp.Rank == t.Placement.MeshRank && t.Placement.Count > 1 && !Fits(t.Shape, sbp, t.Placement)
                ? decl with { Sbp = null }
                : decl;

        /// <summary>The declared SBP, checked against the placement the tensor ended up on.</summary>
        private static void LayOut(LogicalTensor t, TensorDecl decl, Sbp defaultSbp, List<PlanWarning> warnings)
        {
            var placement = t.Placement;
            t.Sbp = ParseSbp(decl, t.Shape, defaultSbp, placement);
            t.Free = decl.Sbp == null;
            if (decl.Sbp != null && Enumerable.Range(0, placement.Count).Select(d => Partition.LocalShape(t.Shape, t.Sbp, placement, d)).Distinct().Count() > 1)
                warnings.Add(new PlanWarning(PlanWarningKind.UnevenSplit, decl.Name + ":sbp",
                    $"{decl.Name} {t.Shape} split {t.Sbp} over {placement} ({placement.Count} devices): {SplitText(t.Shape, t.Sbp, placement)}, so the parts " +
                    "differ in size and the devices with larger parts set the pace."));
        }

        /// <summary>An unannotated tensor starts from the default on the first mesh axis (SBP selection may change
        /// it) and broadcast on the others.</summary>
        private static NdSbp DefaultSbp(Shape shape, Sbp defaultSbp, Placement placement)
        {
            var start = NdSbp.Broadcast(placement.MeshRank).With(0, defaultSbp);
            return Fits(shape, start, placement) ? start : NdSbp.Broadcast(placement.MeshRank);
        }

        /// <summary>The declared SBP, one per mesh axis, or the default for an unannotated tensor.</summary>
        private static NdSbp ParseSbp(TensorDecl decl, Shape shape, Sbp defaultSbp, Placement placement)
        {
            if (decl.Sbp == null) return DefaultSbp(shape, defaultSbp, placement);
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

        private static void AddStatements(LogicalGraph g, Dictionary<string, int> names, EquatableArray<OpDecl> statements, PlanMode mode,
            Placement fallback, HashSet<int> floating)
        {
            foreach (var s in statements)
            {
                if (!OpRegistry.TryGetUserOp(s.Op, out var kind))
                    throw new PlanException(PlanErrorKind.UnknownValue, s.Output, $"'{s.Op}' is not an op of OneFlow.Dsl.Ops; see OneFlow.Dsl.Ops for the ops a plan can hold.");
                int[] inputs = s.Inputs.Select(n => Lookup(names, n, s.Output)).ToArray();
                // Inference keeps every unit: dropout is the identity there.
                if (mode == PlanMode.Infer && OpRegistry.Get(kind).IsIdentityWhenInferring && inputs.Length > 0) { names[s.Output] = inputs[0]; continue; }
                string origin = $"{s.Output} = {s.Op}({string.Join(", ", s.Inputs)})";
                var at = PlacementRules.ForOp(g, inputs, floating, fallback, s.Output, s.Placement == null ? null : ParsePlacement(s.Placement, s.Output));
                if (OpRegistry.Get(kind) is CompositeOp composite)
                {
                    int before = g.Ops.Count;
                    int value = composite.Expand(new StatementParts(g, s.Output, origin, at, mode, s.Module), inputs, composite.FromCall(s.Output, s.Args.ToArray()));
                    if (g.Tensor(value).Producer >= before) g.Tensor(value).Name = s.Output;
                    names[s.Output] = value;
                    continue;
                }
                var op = g.AddCall(kind, inputs, s.Output, TensorRole.Activation, origin, at, s.Output, s.Args.ToArray());
                op.Module = s.Module;
                names[s.Output] = op.Output;
            }
        }

        /// <summary>A composite op's parts as ops of the statement: named after its output, placed where it runs, and
        /// its errors pointing at it.</summary>
        private sealed class StatementParts : CompositeBuilder
        {
            private readonly LogicalGraph _g;
            private readonly string _output, _origin;
            private readonly Placement _at;
            private readonly PlanMode _mode;
            private readonly string? _module;

            public StatementParts(LogicalGraph g, string output, string origin, Placement at, PlanMode mode, string? module)
            {
                _g = g; _output = output; _origin = origin; _at = at; _mode = mode; _module = module;
            }

            public override bool Training => _mode == PlanMode.Train;

            public override int Devices => _at.MeshRank == 1 ? _at.Count : 1;

            public override Shape ShapeOf(int tensor) => _g.Tensor(tensor).Shape;

            public override string NameOf(int tensor) => _g.Tensor(tensor).Name;

            public override int Add(OpKind kind, int[] inputs, string part, OpAttributes? attributes = null)
            {
                var op = _g.AddOp(kind, inputs, _output + "." + part, TensorRole.Activation, _origin, _at, attributes, _output);
                op.Module = _module;
                return op.Output;
            }

            public override PlanException Mismatch(string message) => new PlanException(PlanErrorKind.ShapeMismatch, _output, message);
        }

        private static int Lookup(Dictionary<string, int> names, string name, string subject)
            => names.TryGetValue(name, out int id)
                ? id
                : throw new PlanException(PlanErrorKind.UnknownValue, subject, $"'{name}' is neither a weight, an input nor a value computed before it.");
    }
}
