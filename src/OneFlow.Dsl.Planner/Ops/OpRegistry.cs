using System;
using System.Collections.Generic;
using System.Linq;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Every op definition by kind and by the name users call it by. Each op file adds its own definitions
    /// from a module initializer, so a new op is registered where it is written and no list here must change.</summary>
    public static class OpRegistry
    {
        private static readonly Dictionary<OpKind, OpDef> ByKind = new Dictionary<OpKind, OpDef>();
        private static readonly Dictionary<string, OpKind> ByName = new Dictionary<string, OpKind>(StringComparer.Ordinal);

        /// <summary>Called by the op files' module initializers, once each.</summary>
        internal static void Add(params OpDef[] defs)
        {
            foreach (var def in defs)
            {
                ByKind.Add(def.Kind, def);
                if (def.UserName != null) ByName.Add(def.UserName, def.Kind);
            }
        }

        public static OpDef Get(OpKind kind)
            => ByKind.TryGetValue(kind, out var def) ? def : throw new InvalidOperationException($"No op definition is registered for {kind}.");

        /// <summary>Every registered definition, in the order of <see cref="OpKind"/>.</summary>
        public static IEnumerable<OpDef> All => ByKind.Values.OrderBy(d => d.Kind);

        /// <summary>The ops a user may call in Forward or Loss, by the name of their method in <c>Ops</c> (or the op a
        /// tensor operator lowers to).</summary>
        public static bool TryGetUserOp(string name, out OpKind kind) => ByName.TryGetValue(name, out kind);
    }
}
