using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using OneFlow.Dsl.Planner.Ops;
using Xunit;

namespace OneFlow.Dsl.Planner.Tests
{
    /// <summary>Kernel files are named after their ops: a kind defined in <c>Planner/Ops/FooOp.cs</c> or <c>FooOps.cs</c>
    /// has its CPU kernel in <c>Runtime/Kernels/Foo.cs</c> and its GPU kernel in <c>Cuda/Kernels/FooKernels.cs</c>,
    /// and a kernel file names no other op's kind. Read from the sources, so a reader looking for an op's kernels
    /// finds them by its file's name.</summary>
    public class KernelFileTests
    {
        [Fact]
        public void Every_kind_a_kernel_file_names_is_defined_in_the_op_file_of_that_name()
        {
            string root = Root();
            var family = FamilyOfEachKind(Path.Combine(root, "src", "OneFlow.Dsl.Planner", "Ops"));
            var wrong = new List<string>();
            foreach (var (folder, suffix) in new[] { ("OneFlow.Dsl.Runtime", ""), ("OneFlow.Dsl.Cuda", "Kernels") })
                foreach (var path in Directory.EnumerateFiles(Path.Combine(root, "src", folder, "Kernels"), "*.cs"))
                {
                    string file = Path.GetFileNameWithoutExtension(path);
                    foreach (string kind in Regex.Matches(File.ReadAllText(path), @"\bOpKind\.(\w+)").Select(m => m.Groups[1].Value).Distinct())
                        if (family.TryGetValue(kind, out string? stem) && stem + suffix != file)
                            wrong.Add($"{folder}/Kernels/{file}.cs names {kind}, whose kernels belong in {stem + suffix}.cs");
                }
            Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        }

        /// <summary>Every kind that runs as a kernel has its CPU kernel where the rule puts it.</summary>
        [Fact]
        public void Every_kernel_kind_has_its_cpu_kernel_in_the_file_of_its_op()
        {
            string root = Root();
            var family = FamilyOfEachKind(Path.Combine(root, "src", "OneFlow.Dsl.Planner", "Ops"));
            var missing = Enum.GetValues<OpKind>().Where(k => OpRegistry.Get(k).RunsAsKernel && OpRegistry.Get(k) is not CompositeOp)
                .Where(k => !File.Exists(Path.Combine(root, "src", "OneFlow.Dsl.Runtime", "Kernels", family[k.ToString()] + ".cs"))
                            || !Regex.IsMatch(File.ReadAllText(Path.Combine(root, "src", "OneFlow.Dsl.Runtime", "Kernels", family[k.ToString()] + ".cs")), $@"\bOpKind\.{k}\b"))
                .ToList();
            Assert.True(missing.Count == 0, "no CPU kernel in the file of its op: " + string.Join(", ", missing));
        }

        /// <summary>Each kind's op file stem: the file declaring its definition class, less "Op" or "Ops".</summary>
        private static Dictionary<string, string> FamilyOfEachKind(string ops)
        {
            var fileOfClass = new Dictionary<string, string>();
            foreach (var path in Directory.EnumerateFiles(ops, "*.cs"))
                foreach (Match m in Regex.Matches(File.ReadAllText(path), @"\bclass\s+(\w+)"))
                    fileOfClass[m.Groups[1].Value] = Regex.Replace(Path.GetFileNameWithoutExtension(path), "Ops?$", "");
            return Enum.GetValues<OpKind>().ToDictionary(k => k.ToString(), k => fileOfClass[OpRegistry.Get(k).GetType().Name]);
        }

        private static string Root()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "OneFlow.Dsl.sln"))) dir = dir.Parent;
            Assert.NotNull(dir);
            return dir!.FullName;
        }
    }
}
