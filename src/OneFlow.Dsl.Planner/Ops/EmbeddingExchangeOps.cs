using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>The blocks in which p devices that look ids up (requesters, the batch split over them) and the same p
    /// devices that own a table's rows (owners, the vocabulary split over them) exchange requests, rows and gradients
    /// (see <c>Passes/EmbeddingExchange</c>). Block (i, j) is what requester i and owner j exchange; it starts with its
    /// count of distinct ids and has room for c, the most lookups one requester makes. Requests are ints
    /// [p, p, 1 + c]: the count, then the distinct ids (of the whole table) in the order they first appear in i's
    /// lookups. Replies and row gradients are floats [p, p, (1 + c)·D]: a header row (the count's bits, then zeros),
    /// then one row per requested id. A lookup's slot code (i·p + j)·c + position names its row; −1 is an id outside
    /// the table, which reads zeros. A transfer moves only the counted rows of each block (<see cref="OpDef.RaggedRow"/>).</summary>
    internal readonly struct ExchangeLayout
    {
        public ExchangeLayout(int devices, int capacity) { Devices = devices; Capacity = capacity; }

        public int Devices { get; }
        public int Capacity { get; }
        public int BlockRows => Capacity + 1;

        /// <summary>The row (header rows counted) of slot code <paramref name="code"/> in the [p·p·(1 + c)] rows of a
        /// reply or gradient, and the block it lies in.</summary>
        public int Row(int code) => code / Capacity * BlockRows + 1 + code % Capacity;
        public int Block(int code) => code / Capacity;
        public int Position(int code) => code % Capacity;
        public int Code(int requester, int owner, int position) => (requester * Devices + owner) * Capacity + position;

        /// <summary>The device holding row <paramref name="id"/> of a table of <paramref name="rows"/> rows split over the
        /// devices as <see cref="Partition"/> cuts.</summary>
        public int Owner(int id, int rows)
        {
            int q = rows / Devices, r = rows % Devices, longer = r * (q + 1);
            return id < longer ? id / (q + 1) : r + (id - longer) / q;
        }

        /// <summary>Which requester a part of the lookups is, from the row it starts at among <paramref name="rows"/>.</summary>
        public int Requester(int start, int rows)
        {
            int i = 0;
            while (i + 1 < Devices && Partition.Start(rows, Devices, i + 1) <= start) i++;
            return i;
        }

        public static Shape Requests(int devices, int capacity) => new Shape(devices, devices, capacity + 1);
        public static Shape Rows(int devices, int capacity, int width) => new Shape(devices, devices, (capacity + 1) * width);
    }

    /// <summary>Each lookup's slot code: ids [..] (split by rows over the requesters) → codes of the same shape. The
    /// distinct ids each requester needs from each owner are numbered in the order they first appear, so that a row
    /// asked for twice travels once. Arguments (V, p, c): the table's rows, the devices, the capacity.</summary>
    /// <summary>The table's rows V, and the exchange's devices p and capacity c.</summary>
    internal sealed record ExchangeAttributes(int Rows, int Devices, int Capacity) : OpAttributes
    {
        public ExchangeLayout Layout => new ExchangeLayout(Devices, Capacity);
        internal override void Write(AttributeWriter w) => w.Int("rows", Rows).Int("devices", Devices).Int("capacity", Capacity);
        public static ExchangeAttributes Read(AttributeReader r) => new ExchangeAttributes(r.Int("rows"), r.Int("devices"), r.Int("capacity"));
    }

    internal sealed class IdSlotsOp : OpDef
    {
        public override string[] Operands => new[] { "ids" };
        public override OpAttributes ReadAttributes(AttributeReader r) => ExchangeAttributes.Read(r);
        public override IEnumerable<(int Operand, int Below)> IntegerBounds(IOpAttributes op, Shape[] inputs) { yield return (0, op.Get<ExchangeAttributes>().Rows); }
        public override string NotDifferentiable => "its operand and value are integers";
        public override DType OutputType(LogicalGraph g, LogicalOp op) => DType.I32;
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 0);
        public override IEnumerable<Signature> Signatures(SignatureContext c) { yield return In(Sbp.S(0)).Out(Sbp.S(0)); }

        /// <summary>A hash (ids and their codes) of <see cref="HashSlots"/> slots.</summary>
        public override long WorkspaceElements(IOpAttributes op, Shape[] inputs, Shape output) => 2L * HashSlots(inputs[0].Elements);

        /// <summary>A power of two at least twice the lookups, so that probes stay short and a mask finds a slot.</summary>
        public static int HashSlots(long lookups)
        {
            int slots = 2;
            while (slots < 2 * lookups) slots *= 2;
            return slots;
        }

        public static (int Rows, ExchangeLayout Layout) Attributes(IOpAttributes op)
        {
            var a = op.Get<ExchangeAttributes>();
            return (a.Rows, a.Layout);
        }
    }

    /// <summary>The requests each requester sends: ids [..] → [p, p, 1 + c] ints, split by requester. Arguments as
    /// <see cref="IdSlotsOp"/>'s, whose numbering it repeats.</summary>
    internal sealed class IdRequestsOp : OpDef
    {
        public override string[] Operands => new[] { "ids" };
        public override OpAttributes ReadAttributes(AttributeReader r) => ExchangeAttributes.Read(r);
        public override IEnumerable<(int Operand, int Below)> IntegerBounds(IOpAttributes op, Shape[] inputs) { yield return (0, op.Get<ExchangeAttributes>().Rows); }
        public override string NotDifferentiable => "its operand and value are integers";
        public override DType OutputType(LogicalGraph g, LogicalOp op) => DType.I32;
        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var (_, layout) = IdSlotsOp.Attributes(op);
            return ExchangeLayout.Requests(layout.Devices, layout.Capacity);
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c) { yield return In(Sbp.S(0)).Out(Sbp.S(0)); }

        /// <summary>The slot codes, then <see cref="IdSlotsOp"/>'s hash.</summary>
        public override long WorkspaceElements(IOpAttributes op, Shape[] inputs, Shape output) => inputs[0].Elements + 2L * IdSlotsOp.HashSlots(inputs[0].Elements);
        public override int RaggedRow(LogicalGraph g, LogicalOp op) => 1;
    }

    /// <summary>Each owner answers the requests it received: (table [V, D] split by rows, requests split by owner) →
    /// replies [p, p, (1 + c)·D] split by owner, each requested row copied from this owner's part of the table.</summary>
    internal sealed class RowGatherOp : OpDef
    {
        public override string[] Operands => new[] { "table", "requests" };
        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            Shape table = ShapeOf(g, op, 0), requests = ShapeOf(g, op, 1);
            return ExchangeLayout.Rows(requests[0], requests[2] - 1, table[1]);
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c) { yield return In(Sbp.S(0), Sbp.S(1)).Out(Sbp.S(1)); }
        public override int RaggedRow(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 0)[1];
        public override double Flops(LogicalGraph g, LogicalOp op) => 0;

        /// <summary>The requested rows' gradients are the table's, row by row: kept sparse for the update where the
        /// optimizer allows it, else added into a dense gradient.</summary>
        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int table = op.Inputs[0], requests = op.Inputs[1];
            if (ad.NeedsGradient(table) && !ad.AccumulateRows(table, requests, dy, 1, exchanged: true))
                ad.Accumulate(table, ad.Emit(OpKind.RowGatherGrad, new[] { requests, dy, table }, table));
        }
    }

    /// <summary>d table, dense: (requests, row gradients, table) → [V, D], each owner adding the rows requested from it
    /// into its part; the table is read for its shape and layout only.</summary>
    internal sealed class RowGatherGradOp : GradientOp
    {
        public override string[] Operands => new[] { "requests", "dy", "table" };
        public override Shape InferShape(LogicalGraph g, LogicalOp op) => ShapeOf(g, op, 2);
        public override IEnumerable<Signature> Signatures(SignatureContext c) { yield return In(Sbp.S(1), Sbp.S(1), Sbp.S(0)).Out(Sbp.S(0)); }
    }

    /// <summary>The lookups' values from the replies: (slot codes [..] or [N, K], replies) → [.., D] for a plain lookup,
    /// or [N, D] for a bag (sum or mean of its K rows), split by requester. Arguments (mode, c): −1 for a lookup,
    /// else the bag's mode (<see cref="EmbeddingBagOp"/>).</summary>
    internal sealed record CombineAttributes(int Mode, int Capacity) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Int("mode", Mode).Int("capacity", Capacity);
    }

    internal sealed class EmbeddingCombineOp : OpDef
    {
        public override string[] Operands => new[] { "codes", "replies" };
        public override OpAttributes ReadAttributes(AttributeReader r) => new CombineAttributes(r.Int("mode"), r.Int("capacity"));
        /// <summary>The mode, of the combine or of its gradient.</summary>
        public static int Mode(IOpAttributes op) => op.Attributes is CombineGradAttributes grad ? grad.Mode : op.Get<CombineAttributes>().Mode;
        public static int Capacity(IOpAttributes op) => op.Get<CombineAttributes>().Capacity;

        /// <summary>The factor each row is added with: 1, or 1/K for a bag's mean.</summary>
        public static float Scale(IOpAttributes op, Shape codes) => Mode(op) == 1 ? 1f / codes[1] : 1f;

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            Shape codes = ShapeOf(g, op, 0), replies = ShapeOf(g, op, 1);
            int width = replies[2] / (Capacity(op) + 1);
            return Mode(op) < 0 ? new Shape(codes.ToArray().Concat(new[] { width }).ToArray()) : new Shape(codes[0], width);
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c) { yield return In(Sbp.S(0), Sbp.S(0)).Out(Sbp.S(0)); }

        public override void Backward(GradientBuilder ad, LogicalOp op, int dy)
        {
            int codes = op.Inputs[0], replies = op.Inputs[1];
            if (!ad.NeedsGradient(replies)) return;
            var shape = ad.ShapeOf(replies);
            int capacity = Capacity(op);
            ad.Accumulate(replies, ad.Emit(OpKind.EmbeddingCombineGrad, new[] { codes, dy }, replies,
                new CombineGradAttributes(Mode(op), shape[0], capacity, shape[2] / (capacity + 1))));
        }
    }

    /// <summary>d replies: (slot codes, dy) → [p, p, (1 + c)·D] row gradients split by requester, each lookup's dy row
    /// (times the bag's factor) added into its slot's row, so that an id looked up twice sends one summed row; the
    /// header rows carry the counts. Arguments (mode, p, c, D).</summary>
    internal sealed record CombineGradAttributes(int Mode, int Devices, int Capacity, int Width) : OpAttributes
    {
        internal override void Write(AttributeWriter w) => w.Int("mode", Mode).Int("devices", Devices).Int("capacity", Capacity).Int("width", Width);
    }

    internal sealed class EmbeddingCombineGradOp : GradientOp
    {
        public override string[] Operands => new[] { "codes", "dy" };
        public override OpAttributes ReadAttributes(AttributeReader r) => new CombineGradAttributes(r.Int("mode"), r.Int("devices"), r.Int("capacity"), r.Int("width"));
        public static ExchangeLayout Layout(IOpAttributes op) => new ExchangeLayout(op.Get<CombineGradAttributes>().Devices, op.Get<CombineGradAttributes>().Capacity);
        public static int Width(IOpAttributes op) => op.Get<CombineGradAttributes>().Width;

        public override Shape InferShape(LogicalGraph g, LogicalOp op)
        {
            var layout = Layout(op);
            return ExchangeLayout.Rows(layout.Devices, layout.Capacity, Width(op));
        }

        public override IEnumerable<Signature> Signatures(SignatureContext c) { yield return In(Sbp.S(0), Sbp.S(0)).Out(Sbp.S(0)); }
        public override int RaggedRow(LogicalGraph g, LogicalOp op) => Width(op);
    }
}
