using System;
using System.Collections.Generic;
using System.Linq;
using OneFlow.Dsl.Planner;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Passes;

namespace OneFlow.Dsl
{
    /// <summary>Generates from a causal sequence model one position at a time: each <see cref="Step"/> takes the next
    /// token of every sequence and gives the network's output at that position, computed against cached keys and values
    /// of the positions before (the network's incremental decoder, <see cref="IncrementalDecoding"/>), so that a step
    /// costs the same at every position. It agrees with Forward over the whole sequence at every position. Up to
    /// <see cref="Context"/> positions; <see cref="Reset"/> starts the sequences again.</summary>
    public sealed class IncrementalDecoder : PlanRunner
    {
        private readonly Tensor _positions;
        private readonly int[] _position;
        private readonly int _batch;
        private readonly int _outputAxis;

        public IncrementalDecoder(Planner.Model.NetworkSpec spec, IReadOnlyList<(string Name, Tensor Value)> state, int batch, string placement)
            : this(IncrementalDecoding.Derive(spec, batch, placement), state, batch) { }

        private IncrementalDecoder(DecodingNetwork network, IReadOnlyList<(string Name, Tensor Value)> state, int batch)
            : base(NetworkPlanner.Compile(network.Spec, PlanMode.Infer), state.Concat(network.Caches.Select(Zeros)).ToArray())
        {
            Context = network.Context;
            _outputAxis = network.OutputPositionAxis;
            _batch = batch;
            _position = new int[batch];
            _positions = Tensor.From(_position, batch, 1);
        }

        private static (string Name, Tensor Value) Zeros(Planner.Model.TensorDecl cache)
            => (cache.Name, Tensor.Wrap(new float[cache.Dims.Aggregate(1L, (p, d) => p * d)], cache.Dims.ToArray()));

        /// <summary>The positions a sequence may hold: the length the network was written for.</summary>
        public int Context { get; }

        /// <summary>The position the next step fills: how many steps since the start or <see cref="Reset"/>.</summary>
        public int Position => _position[0];

        /// <summary>Feeds one position of every input (Forward's order; each [batch, 1, …], tokens as ids) and returns
        /// Forward's value at that position: its position axis dropped where it held the positions alone ([batch, 64,
        /// vocabulary] gives [batch, vocabulary]).</summary>
        public Tensor Step(params Tensor[] inputs)
        {
            if (Position >= Context)
                throw new InvalidOperationException($"The sequences hold {Context} positions, all filled; Reset() and feed the last ones again to go on.");
            for (int i = 0; i < inputs.Length; i++) Feed(i, inputs[i], "IncrementalDecoder.Step");
            Feed(inputs.Length, _positions, "IncrementalDecoder.Step");
            Execute(updatesWeights: false);
            for (int b = 0; b < _batch; b++) _position[b]++;
            var output = Plan.Tensors[Plan.Output];
            var data = new float[output.Shape.Elements];
            Session.Read(output.Id, data);
            return Tensor.Wrap(data, output.Shape.ToArray().Where((size, axis) => axis != _outputAxis || size != 1).ToArray());
        }

        /// <summary>Starts every sequence again at position 0 (the caches are overwritten as they fill).</summary>
        public void Reset() => Array.Clear(_position);
    }
}
