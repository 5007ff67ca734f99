using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace OneFlow.Dsl.Generators.Tests
{
    /// <summary>Shape mistakes in convolutional networks are reported at the call that makes them, naming the shapes
    /// and what to change; a [Buffer] field is part of the network.</summary>
    public class VisionDiagnosticTests
    {
        private const string Cnn = @"using OneFlow.Dsl;
using static OneFlow.Dsl.Ops;

[Network(Batch = 4)]
[Placement(""cpu:0"")]
public partial class Cnn
{
    [Weight(8, 3, 3, 3)] Tensor w;
    [Weight(8, Fill = 1)] Tensor g;
    [Weight(8)] Tensor b;
    [Buffer(8)] Tensor m;
    [Buffer(8, Fill = 1)] Tensor v;
    [Weight(128, 10)] Tensor fc;

    public Tensor Forward([Input(3, 8, 8)] Tensor x)
    {
        var h = Relu(BatchNorm2d(Conv2d(x, w, padding: 1), g, b, m, v));
        return MatMul(Flatten(MaxPool2d(h, 2, 2)), fc);
    }
}
";

        private static string With(string from, string to)
        {
            Assert.Contains(from, Cnn);
            return Cnn.Replace(from, to);
        }

        private static (Diagnostic Diagnostic, string Span) Shape(string source)
        {
            var (_, diagnostics, run) = GeneratorHarness.Generate(source);
            Assert.All(run.Results, r => Assert.Null(r.Exception));
            var d = Assert.Single(diagnostics, x => x.Id.StartsWith("OF"));
            Assert.Equal("OF0001", d.Id);
            return (d, source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length));
        }

        [Fact]
        public void A_valid_convolutional_network_has_no_diagnostics_and_its_buffers_are_state()
        {
            var (_, diagnostics, run) = GeneratorHarness.Generate(Cnn);
            Assert.Empty(diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
            string generated = Assert.Single(run.GeneratedTrees).ToString();
            Assert.Contains("SpecBuilder.Buffer(\"m\", null, 8)", generated);
            Assert.Contains("m = global::OneFlow.Dsl.WeightInit.Buffer(0, 8);", generated);
            Assert.Contains("v = global::OneFlow.Dsl.WeightInit.Buffer(1, 8);", generated);
        }

        [Fact]
        public void A_kernel_larger_than_the_padded_input()
        {
            var (d, span) = Shape(With("[Weight(8, 3, 3, 3)] Tensor w;", "[Weight(8, 3, 11, 11)] Tensor w;"));
            Assert.Equal("Conv2d(x, w, padding: 1)", span);
            Assert.Equal("Conv2d: the 11x11 kernel of w [8,3,11,11] is larger than x [4,3,8,8] padded by 1; pad more or use a smaller kernel.", d.GetMessage());
        }

        [Fact]
        public void Channels_that_groups_do_not_divide()
        {
            var (d, span) = Shape(With("Conv2d(x, w, padding: 1)", "Conv2d(x, w, padding: 1, groups: 2)"));
            Assert.Equal("Conv2d(x, w, padding: 1, groups: 2)", span);
            Assert.Equal("Conv2d: x [4,3,8,8] has 3 channels and w [8,3,3,3] 8 outputs; both must divide by groups = 2.", d.GetMessage());
        }

        [Fact]
        public void A_bias_of_another_channel_count()
        {
            var (d, span) = Shape(With("Conv2d(x, w, padding: 1)", "Conv2d(x, w, fc, padding: 1)"));
            Assert.Equal("Conv2d(x, w, fc, padding: 1)", span);
            Assert.Equal("Conv2d: the bias fc is [128,10] but the output has 8 channels; declare it [Weight(8)].", d.GetMessage());
        }

        [Fact]
        public void A_dilated_kernel_larger_than_the_padded_input()
        {
            var (d, span) = Shape(With("Conv2d(x, w, padding: 1)", "Conv2d(x, w, b, padding: 1, dilation: 5)"));
            Assert.Equal("Conv2d(x, w, b, padding: 1, dilation: 5)", span);
            Assert.Equal("Conv2d: the 3x3 kernel of w [8,3,3,3] dilated by 5 is larger than x [4,3,8,8] padded by 1; pad more or use a smaller kernel.", d.GetMessage());
        }

        [Fact]
        public void A_transposed_convolutions_weight_is_laid_out_input_channels_first()
        {
            var (d, span) = Shape(With("Conv2d(x, w, padding: 1)", "ConvTranspose2d(x, w, stride: 2, padding: 1, outputPadding: 1)"));
            Assert.Equal("ConvTranspose2d(x, w, stride: 2, padding: 1, outputPadding: 1)", span);
            Assert.Equal("ConvTranspose2d: w is [8,3,3,3] but x [4,3,8,8] has 3 channels; its first dimension must be 3, which must divide by groups = 1.", d.GetMessage());
        }

        [Fact]
        public void A_reflection_as_wide_as_the_image()
        {
            var (d, span) = Shape(With("Conv2d(x, w, padding: 1)", "Conv2d(Pad(x, new[] { 8, 0 }, \"reflect\"), w, padding: 1)"));
            Assert.Equal("Pad(x, new[] { 8, 0 }, \"reflect\")", span);
            Assert.Equal("Pad: reflecting 8 and 0 about axis 3 of x [4,3,8,8] needs widths below its length 8.", d.GetMessage());
        }

        [Fact]
        public void An_upsampling_mode_it_does_not_take_names_the_ones_it_does()
        {
            var (_, diagnostics, _) = GeneratorHarness.Generate(With("MaxPool2d(h, 2, 2)", "MaxPool2d(Upsample(h, 2, \"bicubic\"), 4, 4)"));
            var d = Assert.Single(diagnostics, x => x.Id.StartsWith("OF"));
            Assert.Contains("Upsample's mode is one of \"nearest\", \"bilinear\", not \"bicubic\"", d.GetMessage());
        }

        [Fact]
        public void A_weight_of_the_wrong_rank()
        {
            var (d, span) = Shape(With("[Weight(8, 3, 3, 3)] Tensor w;", "[Weight(8, 27)] Tensor w;"));
            Assert.Equal("Conv2d(x, w, padding: 1)", span);
            Assert.Equal("Conv2d: w is [8,27] but must be [O, C / groups, kH, kW], e.g. [Weight(32, 3, 3, 3)].", d.GetMessage());
        }

        [Fact]
        public void A_batch_norm_parameter_of_another_channel_count()
        {
            var (d, span) = Shape(With("[Buffer(8, Fill = 1)] Tensor v;", "[Buffer(6, Fill = 1)] Tensor v;"));
            Assert.Equal("BatchNorm2d(Conv2d(x, w, padding: 1), g, b, m, v)", span);
            Assert.Contains("the running variance v is [6] but", d.GetMessage());
            Assert.Contains("has 8 channels; declare it [Buffer(8, Fill = 1)]", d.GetMessage());
        }

        [Fact]
        public void Pool_padding_above_half_the_kernel()
        {
            var (d, span) = Shape(With("MaxPool2d(h, 2, 2)", "MaxPool2d(h, 3, 2, padding: 2)"));
            Assert.Equal("MaxPool2d(h, 3, 2, padding: 2)", span);
            Assert.Equal("MaxPool2d: padding 2 must lie between 0 and half the kernel (1), as in PyTorch.", d.GetMessage());
        }

        [Fact]
        public void An_adaptive_pool_to_more_windows_than_positions()
        {
            var (d, span) = Shape(With("MaxPool2d(h, 2, 2)", "AdaptiveAvgPool2d(h, 4, 9)"));
            Assert.Equal("AdaptiveAvgPool2d(h, 4, 9)", span);
            Assert.Equal("AdaptiveAvgPool2d: h [4,8,8,8] cannot be pooled to 4x9; ask for at most 8x8.", d.GetMessage());
        }

        [Fact]
        public void A_pooling_window_larger_than_the_map()
        {
            var (d, span) = Shape(With("MaxPool2d(h, 2, 2)", "MaxPool2d(h, 9, 9)"));
            Assert.Equal("MaxPool2d(h, 9, 9)", span);
            Assert.Contains("MaxPool2d: the 9x9 window is larger than", d.GetMessage());
        }
    }
}
