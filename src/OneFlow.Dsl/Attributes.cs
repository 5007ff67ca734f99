using System;

namespace OneFlow.Dsl
{
    /// <summary>Marks a partial class as a network: the generator compiles its <c>Forward</c> into a static plan.</summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false)]
    public sealed class NetworkAttribute : Attribute
    {
        /// <summary>The batch size the plan is built for: every input gets it as its first dimension.</summary>
        public int Batch { get; set; } = 1;

        /// <summary>Pieces a training step splits its batch into: the gradients are accumulated over them and the
        /// weights updated once, and pipeline stages work on different micro-batches at the same time. Write -1 for
        /// the batch axis in Forward's reshapes so that they fit a micro-batch.</summary>
        public int MicroBatches { get; set; } = 1;

        /// <summary>The optimizer the compiled training plan updates with (its update ops and their state are planned
        /// at build time, and the plan report shows them); a trainer with another one plans at run time.</summary>
        public Optimizers Optimizer { get; set; } = Optimizers.Sgd;

        /// <summary>True when the compiled training plan clips the gradients by their global norm (the norm itself is
        /// the optimizer's <c>ClipGradientNorm</c>).</summary>
        public bool ClipsGradients { get; set; }

        /// <summary>How much memory each device may hold, "512 MiB" or "1.5 GiB" (binary units, as "MB" and "GB" are
        /// read too): the training plan recomputes modules' activations in the backward pass instead of keeping them
        /// (the first modules first) until it fits, and a budget it cannot meet is a build error that states the
        /// smallest peak it can reach.</summary>
        public string? MemoryBudget { get; set; }
    }

    /// <summary>How <see cref="Ops.EmbeddingBag"/> reduces each sample's looked-up rows.</summary>
    public enum BagMode
    {
        Sum,
        Mean,
    }

    /// <summary>The optimizers a compiled training plan can be built for (<see cref="NetworkAttribute.Optimizer"/>).</summary>
    public enum Optimizers
    {
        /// <summary><see cref="Sgd"/> without momentum.</summary>
        Sgd,
        /// <summary><see cref="Sgd"/> with momentum.</summary>
        SgdMomentum,
        Adam,
        AdamW,
        Adagrad,
    }

    /// <summary>The devices the network runs on: "cpu:0-3" (four CPU devices), "cpu:0", "cuda:0-7", or a 2-D mesh
    /// "2x2:cpu" (devices 0-3 as two rows of two). On a weight, where that weight lives instead: every op reading
    /// it runs there, and the planner inserts the transfers between placements. On an input, where it is fed (left
    /// out, wherever its first consumer runs).</summary>
    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Field | AttributeTargets.Parameter, Inherited = false)]
    public sealed class PlacementAttribute : Attribute
    {
        public string Devices { get; }
        public PlacementAttribute(string devices) => Devices = devices;
    }

    /// <summary>A trained tensor of the given shape, drawn from the network's seed by <see cref="Init"/> or, with
    /// <see cref="Fill"/>, set to one value (a layer norm's gain: Fill = 1). By default matrices are uniform in
    /// ±1/√fan_in and vectors zero; a weight given to <c>Linear</c> as its w or b starts as PyTorch's nn.Linear does
    /// (Kaiming uniform; the bias uniform in ±1/√in), and a convolution's bias as nn.Conv2d's (±1/√(C·kH·kW)).</summary>
    [AttributeUsage(AttributeTargets.Field, Inherited = false)]
    public sealed class WeightAttribute : Attribute
    {
        public int[] Dims { get; }
        public WeightAttribute(params int[] dims) => Dims = dims;

        /// <summary>The value every element starts at, instead of the seeded draw.</summary>
        public double Fill { get; set; }

        /// <summary>How the weight is drawn (see <see cref="Dsl.Init"/>).</summary>
        public Init Init { get; set; }

        /// <summary>The standard deviation of <see cref="Init.Normal"/> and <see cref="Init.TruncNormal"/>.</summary>
        public double Std { get; set; } = 1;

        /// <summary>The bound of <see cref="Init.Uniform"/>: values in ±Bound.</summary>
        public double Bound { get; set; } = 1;
    }

    /// <summary>State a network keeps but does not train, of the given shape: batch norm's running statistics. It is
    /// saved and loaded with the weights under its field's name, kept in checkpoints, and updated by the ops that own
    /// it (in training); it starts at zero or, with <see cref="Fill"/>, at one value (a running variance: Fill = 1).</summary>
    [AttributeUsage(AttributeTargets.Field, Inherited = false)]
    public sealed class BufferAttribute : Attribute
    {
        public int[] Dims { get; }
        public BufferAttribute(params int[] dims) => Dims = dims;

        /// <summary>The value every element starts at.</summary>
        public double Fill { get; set; }
    }

    /// <summary>Marks a partial class as a module: a piece of a network with [Weight] fields and a
    /// <c>Forward(Tensor ...)</c> that a [Network] (or another module) holds as a field and calls. The planner inlines
    /// each call; the module's weights are named by the path to them, e.g. "blocks.2.wq".</summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false)]
    public sealed class ModuleAttribute : Attribute { }

    /// <summary>On an array field of a module type: how many modules it holds. The generator creates them, and a
    /// <c>foreach</c> over the array in Forward is unrolled into the plan, one copy of the body per module.</summary>
    [AttributeUsage(AttributeTargets.Field, Inherited = false)]
    public sealed class RepeatAttribute : Attribute
    {
        public int Count { get; }
        public RepeatAttribute(int count) => Count = count;
    }

    /// <summary>On an array of modules: pipeline stages. The modules are spread over the placements in contiguous,
    /// equal groups (<c>[Repeat(4), Stages("cpu:0-1", "cpu:2-3")]</c>: blocks 0-1 on cpu:0-1, 2-3 on cpu:2-3), and the
    /// planner inserts the transfers between them.</summary>
    [AttributeUsage(AttributeTargets.Field, Inherited = false)]
    public sealed class StagesAttribute : Attribute
    {
        public string[] Placements { get; }
        public StagesAttribute(params string[] placements) => Placements = placements;
    }

    /// <summary>A parameter of <c>Forward</c> fed from the host, with its shape less the batch dimension.</summary>
    [AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
    public sealed class InputAttribute : Attribute
    {
        public int[] Dims { get; }
        public InputAttribute(params int[] dims) => Dims = dims;
    }

    /// <summary>Marks an input as integer ids (token or category indices for an Embedding), fed with
    /// <c>Tensor.From(int[] ids, shape)</c>.</summary>
    [AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
    public sealed class IdsAttribute : Attribute { }

    /// <summary>How a weight or input is laid out over the devices: "S(i)" split along axis i, "B" broadcast
    /// (replicated); on a 2-D mesh one per mesh axis, <c>Sbp("S(0)", "B")</c>. Left out, the planner chooses.</summary>
    [AttributeUsage(AttributeTargets.Field | AttributeTargets.Parameter, Inherited = false)]
    public sealed class SbpAttribute : Attribute
    {
        public string[] Values { get; }
        public SbpAttribute(params string[] values) => Values = values;
    }
}
