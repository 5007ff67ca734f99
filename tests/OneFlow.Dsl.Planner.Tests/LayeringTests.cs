using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace OneFlow.Dsl.Planner.Tests
{
    /// <summary>The planner's folders are layers: each may use the types of the layers below it and never of one above,
    /// so that the model knows nothing of ops, ops nothing of passes, and the plan handed to the runtimes nothing of the
    /// passes that made it. Read from the sources: a type named in a file (comments and strings aside) is a dependency
    /// of the file's folder on the folder declaring it.</summary>
    public class LayeringTests
    {
        /// <summary>What each folder may use besides itself; the root (NetworkPlanner, the entry points) may use all.</summary>
        private static readonly Dictionary<string, string[]> Allowed = new()
        {
            ["Polyfills"] = Array.Empty<string>(),
            ["Model"] = new[] { "Polyfills" },
            ["Onnx"] = new[] { "Polyfills", "Model" },
            ["Ops"] = new[] { "Polyfills", "Model", "Onnx" },
            ["Optimizers"] = new[] { "Polyfills", "Model", "Ops" },
            ["Plan"] = new[] { "Polyfills", "Model", "Ops" },
            ["Passes"] = new[] { "Polyfills", "Model", "Onnx", "Ops", "Optimizers", "Plan" },
            ["Export"] = new[] { "Polyfills", "Model", "Onnx", "Ops", "Passes" },
        };

        [Fact]
        public void Each_planner_folder_uses_only_the_layers_below_it()
        {
            var files = Sources();
            Assert.Equal(Allowed.Keys.Append(".").OrderBy(f => f), files.Select(f => f.Folder).Distinct().OrderBy(f => f));
            var declaredIn = new Dictionary<string, string>();
            foreach (var (folder, _, code) in files)
                foreach (Match m in Regex.Matches(code, @"\b(?:class|record|struct|enum|interface)\s+(\w+)"))
                    declaredIn.TryAdd(m.Groups[1].Value, folder);
            var wrong = new List<string>();
            foreach (var (folder, name, code) in files.Where(f => f.Folder != "."))
                foreach (string type in Regex.Matches(code, @"\b[A-Z]\w*\b").Select(m => m.Value).Distinct())
                    if (declaredIn.TryGetValue(type, out var other) && other != folder && !Allowed[folder].Contains(other))
                        wrong.Add($"{folder}/{name} uses {type} of {other}");
            Assert.True(wrong.Count == 0, "Dependencies against the layering:\n" + string.Join("\n", wrong));
        }

        /// <summary>Every planner source file: its folder (. for the root), name and code without comments or strings.</summary>
        private static List<(string Folder, string Name, string Code)> Sources()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "OneFlow.Dsl.sln"))) dir = dir.Parent;
            Assert.NotNull(dir);
            string root = Path.Combine(dir!.FullName, "src", "OneFlow.Dsl.Planner");
            return Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
                .Select(p => Path.GetRelativePath(root, p).Replace('\\', '/'))
                .Where(p => !p.StartsWith("obj/") && !p.StartsWith("bin/"))
                .Select(p => (p.Contains('/') ? p[..p.IndexOf('/')] : ".", Path.GetFileName(p), WithoutCommentsAndStrings(File.ReadAllText(Path.Combine(root, p)))))
                .ToList();
        }

        private static string WithoutCommentsAndStrings(string code)
            => Regex.Replace(Regex.Replace(code, @"//[^\n]*|/\*.*?\*/", "", RegexOptions.Singleline), @"@?\$?""(?:[^""\\]|\\.)*""", "\"\"");
    }
}
