using System.Linq;
using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Generators
{
    /// <summary>Prints the second half of a [Module] class: a constructor that draws its weights from the network's
    /// seed and its path, and the list of its weights by path, which the network's checkpoints and trainers use.</summary>
    internal static class ModuleEmitter
    {
        public static string Emit(ModuleModel m)
            => NetworkEmitter.File($"The constructor and weight list of the [Module] class {m.ClassName}, written by the OneFlow.Dsl generator.",
                m.Namespace, w => EmitClass(w, m));

        private static void EmitClass(IndentedWriter w, ModuleModel m)
        {
            using (w.Block($"partial class {m.ClassName}"))
            {
                w.Line("/// <summary>Where this module sits in its network (\"blocks.2\"): the prefix of its weights' names.</summary>");
                w.Line("public string ModulePath { get; }");
                w.Line();
                w.Line("/// <summary>Creates the module at <paramref name=\"path\"/> with weights drawn from <paramref name=\"seed\"/> and");
                w.Line("/// their paths: the same network seed gives the same weights whatever the placement.</summary>");
                using (w.Block($"public {m.ClassName}(int seed, string path)"))
                {
                    w.Line("ModulePath = path;");
                    NetworkEmitter.ConstructorBody(w, m.Weights, m.Modules, "path");
                }
                w.Line();
                w.Line("/// <summary>This module's weights and its modules', each named by its path in the network.</summary>");
                NetworkEmitter.NamedWeights(w, "public (string Name, global::OneFlow.Dsl.Tensor Value)[] NamedWeights()",
                    m.Weights.Where(x => x.Kind == DeclKind.Weight).Select(x => x.Name), m.Modules.ToArray(), "ModulePath", "NamedWeights");
                w.Line();
                w.Line("/// <summary>This module's buffers and its modules', each named by its path in the network.</summary>");
                NetworkEmitter.NamedWeights(w, "public (string Name, global::OneFlow.Dsl.Tensor Value)[] NamedBuffers()",
                    m.Weights.Where(x => x.Kind == DeclKind.Buffer).Select(x => x.Name), m.Modules.ToArray(), "ModulePath", "NamedBuffers");
            }
        }
    }
}
