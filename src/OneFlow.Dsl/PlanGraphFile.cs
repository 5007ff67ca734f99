using System;
using System.Diagnostics;
using System.IO;
using OneFlow.Dsl.Planner.Plan;

namespace OneFlow.Dsl
{
    /// <summary>Writes a plan's graph for people: SVG rendered by Graphviz <c>dot</c> where it is installed, the DOT
    /// text otherwise.</summary>
    public static class PlanGraphFile
    {
        /// <summary>Writes <paramref name="plan"/> to <paramref name="path"/> (".svg" asks for a rendering) and
        /// returns the file written: the path itself, or the same name ending ".dot" when dot is missing.</summary>
        public static string Write(Plan plan, string path)
        {
            string dot = PlanDot.Write(plan);
            if (string.Equals(Path.GetExtension(path), ".svg", StringComparison.OrdinalIgnoreCase) && TryRender(dot, path)) return path;
            string target = string.Equals(Path.GetExtension(path), ".dot", StringComparison.OrdinalIgnoreCase) ? path : Path.ChangeExtension(path, ".dot");
            File.WriteAllText(target, dot);
            return target;
        }

        private static bool TryRender(string dot, string svg)
        {
            try
            {
                var info = new ProcessStartInfo("dot", $"-Tsvg -o \"{svg}\"") { RedirectStandardInput = true, RedirectStandardError = true };
                using var process = Process.Start(info);
                if (process == null) return false;
                process.StandardInput.Write(dot);
                process.StandardInput.Close();
                string errors = process.StandardError.ReadToEnd();
                process.WaitForExit();
                if (process.ExitCode != 0) throw new InvalidOperationException("dot failed to render the plan: " + errors);
                return true;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return false; // dot is not installed
            }
        }
    }
}
