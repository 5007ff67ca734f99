using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Linq;
using System.Reflection;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>Names the class that defines an op kind, on its member of <see cref="OpKind"/>.</summary>
    [AttributeUsage(AttributeTargets.Field)]
    internal sealed class DefinitionAttribute : Attribute
    {
        public DefinitionAttribute([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] Type definition) => Definition = definition;

        /// <summary>Annotated so that a trimmed or NativeAOT app keeps the constructor the registry calls.</summary>
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)]
        public Type Definition { get; }
    }

    /// <summary>Every op definition by kind and by the name users call it by, made once from the definitions that
    /// <see cref="OpKind"/> names: a new op is its file and its kind, and no list here changes.</summary>
    internal static class OpRegistry
    {
        private static readonly Dictionary<OpKind, OpDef> ByKind = typeof(OpKind).GetFields(BindingFlags.Public | BindingFlags.Static)
            .ToDictionary(f => (OpKind)f.GetValue(null)!, Define);

        private static readonly Dictionary<string, OpKind> ByName = ByKind.Values.Where(d => d.UserName != null || d.InDerivedNetworks)
            .ToDictionary(d => d.UserName ?? d.Kind.ToString(), d => d.Kind, StringComparer.Ordinal);

        private static OpDef Define(FieldInfo kind)
        {
            var attribute = (DefinitionAttribute?)kind.GetCustomAttributes(typeof(DefinitionAttribute), false).SingleOrDefault()
                ?? throw new InvalidOperationException($"OpKind.{kind.Name} names no definition; mark it [Definition(typeof(...Op))].");
            var def = (OpDef)Activator.CreateInstance(attribute.Definition)!;
            def.Kind = (OpKind)kind.GetValue(null)!;
            return def;
        }

        public static OpDef Get(OpKind kind) => ByKind[kind];

        /// <summary>Every definition, in the order of <see cref="OpKind"/>.</summary>
        public static IEnumerable<OpDef> All => ByKind.Values.OrderBy(d => d.Kind);

        /// <summary>The ops a user may call in Forward or Loss, by the name of their method in <c>Ops</c> (or the op a
        /// tensor operator lowers to); and, by their kind's name, the ops that networks derived by a pass may hold.</summary>
        public static bool TryGetUserOp(string name, out OpKind kind) => ByName.TryGetValue(name, out kind);
    }
}
