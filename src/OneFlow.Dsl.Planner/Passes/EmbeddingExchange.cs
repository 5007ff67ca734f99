using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Planner.Passes
{
    /// <summary>A lookup into a table split by vocabulary over a list of CPU devices becomes an exchange, as in
    /// OneFlow's one_embedding: each device takes its share of the batch, numbers the distinct ids it needs per owner
    /// (<c>IdSlots</c>), sends those ids to their owners (<c>IdRequests</c>, an all-to-all), each owner answers with the
    /// rows (<c>RowGather</c>, an all-to-all back), and each device assembles its lookups or bags from them
    /// (<c>EmbeddingCombine</c>). Backward, each device sums the gradients of an id's lookups into one row per distinct
    /// id and sends those to the owners (another all-to-all), which update their rows (sparse where the optimizer
    /// allows). Transfers move only the counted rows, so what crosses devices grows with the distinct ids of a batch,
    /// never with the table or the number of devices' copies. Runs before autograd, so that the backward pass is the
    /// parts' own. Tables on GPUs keep the lookup as one op with partial sums (the exchange's counts would have to
    /// reach the host).</summary>
    internal static class EmbeddingExchange
    {
        public static void Apply(LogicalGraph g)
        {
            var lookups = g.Ops.Where(o => OpRegistry.Get(o.Kind).ExchangedLookup(o) != null && Exchanges(g, o)).ToList();
            if (lookups.Count == 0) return;
            var before = new Dictionary<LogicalOp, List<LogicalOp>>();
            var asked = new Dictionary<(int, string), (LogicalOp Slots, LogicalOp Requests)>();
            foreach (var lookup in lookups) before[lookup] = Rewrite(g, lookup, asked);
            var added = new HashSet<LogicalOp>(before.Values.SelectMany(v => v));
            var order = new List<LogicalOp>();
            foreach (var op in g.Ops.Where(o => !added.Contains(o)).ToList())
            {
                if (before.TryGetValue(op, out var parts)) order.AddRange(parts);
                order.Add(op);
            }
            g.Reorder(order);
        }

        /// <summary>A table declared split by rows over a list of several CPU devices, read where it lives.</summary>
        private static bool Exchanges(LogicalGraph g, LogicalOp lookup)
        {
            var table = g.Tensor(lookup.Inputs[1]);
            var at = table.Placement;
            return !table.Free && table.Role == TensorRole.Weight && at.DeviceType == "cpu" && at.MeshRank == 1 && at.Count > 1
                   && table.Sbp[0].IsSplit && table.Sbp[0].Axis == 0 && lookup.Placement.Equals(at)
                   && g.Tensor(lookup.Inputs[0]).Shape[0] >= at.Count;
        }

        /// <summary>Turns <paramref name="lookup"/> into the combine of the replies; returns the ops that go before it.
        /// Lookups of the same ids in tables of as many rows on the same devices send one set of requests
        /// (<paramref name="asked"/>), as a wide and a deep table of one feature do.</summary>
        private static List<LogicalOp> Rewrite(LogicalGraph g, LogicalOp lookup, Dictionary<(int, string), (LogicalOp Slots, LogicalOp Requests)> asked)
        {
            int ids = lookup.Inputs[0], table = lookup.Inputs[1];
            var shape = g.Tensor(ids).Shape;
            int devices = lookup.Placement.Count;
            int perRow = shape.Rank > 1 ? shape[1] : 1;
            int capacity = Partition.Length(shape[0], devices, 0) * perRow;
            var exchange = new ExchangeAttributes(g.Tensor(table).Shape[0], devices, capacity);
            string name = g.Tensor(lookup.Output).Name;
            LogicalOp Part(OpKind kind, int[] inputs, string part, OpAttributes? attributes)
            {
                var op = g.AddOp(kind, inputs, $"{name}.{part}", TensorRole.Activation, lookup.Origin, lookup.Placement, attributes, lookup.Subject);
                op.Module = lookup.Module;
                return op;
            }
            var key = (ids, exchange + "@" + lookup.Placement);
            var parts = new List<LogicalOp>();
            if (!asked.TryGetValue(key, out var ask))
            {
                asked[key] = ask = (Part(OpKind.IdSlots, new[] { ids }, "slots", exchange), Part(OpKind.IdRequests, new[] { ids }, "requests", exchange));
                parts.Add(ask.Slots);
                parts.Add(ask.Requests);
            }
            var replies = Part(OpKind.RowGather, new[] { table, ask.Requests.Output }, "replies", null);
            parts.Add(replies);
            int mode = OpRegistry.Get(lookup.Kind).ExchangedLookup(lookup)!.Value;
            lookup.Kind = OpKind.EmbeddingCombine;
            lookup.Inputs = new[] { ask.Slots.Output, replies.Output };
            lookup.Attributes = new CombineAttributes(mode, capacity);
            return parts;
        }
    }
}
