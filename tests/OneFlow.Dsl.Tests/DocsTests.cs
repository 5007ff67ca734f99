using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>The documentation's links lead somewhere and its pictures are pictures.</summary>
    public class DocsTests
    {
        private static string Root => TestData.RepositoryRoot;

        public static TheoryData<string> Pages()
        {
            var pages = new TheoryData<string>();
            foreach (string page in Directory.GetFiles(Path.Combine(Root, "docs"), "*.md", SearchOption.AllDirectories).Append(Path.Combine(Root, "README.md")))
                pages.Add(Path.GetRelativePath(Root, page));
            return pages;
        }

        [Theory]
        [MemberData(nameof(Pages))]
        public void Every_relative_link_and_picture_exists_and_pictures_are_valid(string page)
        {
            string path = Path.Combine(Root, page), text = File.ReadAllText(path);
            foreach (Match link in Regex.Matches(text, @"\]\((?!https?:|#)([^)#\s]+)"))
            {
                string target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, link.Groups[1].Value));
                Assert.True(File.Exists(target) || Directory.Exists(target), $"{page} links to {link.Groups[1].Value}, which is missing");
                if (target.EndsWith(".png", StringComparison.Ordinal))
                    Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, File.ReadAllBytes(target)[..8]);
                if (target.EndsWith(".svg", StringComparison.Ordinal))
                    Assert.Equal("svg", XDocument.Load(target).Root!.Name.LocalName);
            }
        }

        [Fact]
        public void The_concepts_page_shows_a_picture_for_each_concept()
        {
            string text = File.ReadAllText(Path.Combine(Root, "docs", "concepts.md"));
            foreach (string concept in new[] { "Placement", "SBP", "Boxing", "Actors and registers", "The memory plan" })
            {
                int at = text.IndexOf("## " + concept, StringComparison.Ordinal);
                Assert.True(at >= 0, $"no section '{concept}'");
                int next = text.IndexOf("\n## ", at + 3, StringComparison.Ordinal);
                Assert.Contains("![", next < 0 ? text[at..] : text[at..next]);
            }
        }
    }
}
