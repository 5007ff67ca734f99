using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace OneFlow.Dsl.Generators
{
    /// <summary>What the names inside one Forward mean: the network's, or one module instance's. Tensors (weights,
    /// parameters, locals) map to their names in the plan; module fields map to their instances.</summary>
    internal sealed class Scope
    {
        /// <summary>The path to the instance ("" for the network, "blocks.2" for the third of an array): the prefix
        /// of every weight and value it declares.</summary>
        public string Path { get; }

        public Dictionary<string, string> Values { get; } = new Dictionary<string, string>();

        /// <summary>Module fields by name: one instance for a single module, one per element for a [Repeat] array.</summary>
        public Dictionary<string, ModuleInstance[]> Modules { get; } = new Dictionary<string, ModuleInstance[]>();

        /// <summary>The module fields that are arrays (a single module cannot be iterated, an array cannot be called).</summary>
        public HashSet<string> Arrays { get; } = new HashSet<string>();

        /// <summary>The placement of the module instance, where its field or stage gives one: its ops run there.</summary>
        public string? Placement { get; }

        public Scope(string path, string? placement = null)
        {
            Path = path;
            Placement = placement;
        }

        /// <summary>The plan name of something this scope declares.</summary>
        public string Qualify(string name) => Path.Length == 0 ? name : Path + "." + name;
    }

    /// <summary>One module object of a network: its type, where its weights live, and its own scope.</summary>
    internal sealed class ModuleInstance
    {
        public ModuleInstance(INamedTypeSymbol type, Scope scope)
        {
            Type = type;
            Scope = scope;
        }

        public INamedTypeSymbol Type { get; }
        public Scope Scope { get; }
    }
}
