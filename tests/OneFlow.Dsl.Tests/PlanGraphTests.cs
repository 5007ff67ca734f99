using System;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>A fact skipped, with its reason, where Graphviz is not installed.</summary>
    public sealed class NeedsGraphvizFactAttribute : FactAttribute
    {
        public NeedsGraphvizFactAttribute()
        {
            bool found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, "dot")));
            if (!found) Skip = "Graphviz 'dot' is not installed (apt-get install graphviz); the DOT text is tested in the Planner tests.";
        }
    }

    public class PlanGraphTests
    {
        [NeedsGraphvizFact]
        public void Svg_is_rendered_where_dot_is_installed()
        {
            using var trainer = new Mlp(seed: 1).Trainer(new Sgd(0.1f));
            string path = Path.Combine(Path.GetTempPath(), $"plan-{Guid.NewGuid():N}.svg");
            try
            {
                Assert.Equal(path, PlanGraphFile.Write(trainer.Plan, path));
                var svg = XDocument.Load(path);
                Assert.Equal("svg", svg.Root!.Name.LocalName);
                Assert.Contains(svg.Descendants(), e => e.Name.LocalName == "text" && e.Value == "all-gather");
            }
            finally { File.Delete(path); }
        }

        [Fact]
        public void Dot_text_is_written_when_asked_for()
        {
            using var trainer = new Mlp(seed: 1).Trainer(new Sgd(0.1f));
            string path = Path.Combine(Path.GetTempPath(), $"plan-{Guid.NewGuid():N}.dot");
            try
            {
                Assert.Equal(path, PlanGraphFile.Write(trainer.Plan, path));
                Assert.Equal(trainer.PlanGraph, File.ReadAllText(path));
            }
            finally { File.Delete(path); }
        }
    }
}
