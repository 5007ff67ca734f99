using System;
using System.IO;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>The bar draws in place on a terminal and writes nothing to a redirected output.</summary>
    public class ProgressBarTests
    {
        [Fact]
        public void On_a_terminal_the_bar_is_redrawn_in_place_and_cleared_before_a_line()
        {
            var output = new StringWriter();
            var bar = new ProgressBar(40, output, interactive: true);
            bar.Report(10, "loss 2.5000");
            Assert.StartsWith("\r[########----------------------]  25%  10/40  loss 2.5000  0:0", output.ToString());
            bar.Report(11, "loss 2.4000");
            Assert.DoesNotContain("11/40", output.ToString()); // within 100 ms of the last drawing
            bar.Report(40, "loss 1.0000");
            Assert.Contains("\r[##############################] 100%  40/40  loss 1.0000", output.ToString());
            bar.WriteLine("epoch 1/1");
            string text = output.ToString();
            // The bar is blanked out, then the line starts at the beginning of it.
            Assert.EndsWith(new string(' ', 20) + "\repoch 1/1" + Environment.NewLine, text);
        }

        [Fact]
        public void A_redirected_output_gets_only_the_callers_lines()
        {
            var output = new StringWriter();
            var bar = new ProgressBar(40, output, interactive: false);
            for (int i = 1; i <= 40; i++) bar.Report(i, "loss 1.0");
            bar.WriteLine("epoch 1/1");
            bar.Clear();
            Assert.Equal("epoch 1/1" + Environment.NewLine, output.ToString());
        }

        [Fact]
        public void A_bar_needs_a_positive_total()
            => Assert.Contains("positive total", Assert.Throws<ArgumentOutOfRangeException>(() => new ProgressBar(0, TextWriter.Null)).Message);
    }
}
