using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Planner.Ops;
using OneFlow.Dsl.Runtime.Kernels;

namespace OneFlow.Dsl
{
    /// <summary>Runs an op at once, on whole tensors on the CPU, through the very definition a compiled plan uses: the
    /// op's shape rule checks the operands, its CPU kernel computes, and its gradient rule — the one autograd applies
    /// when planning — pushes a gradient back on <see cref="Tensor.Backward"/>. Nothing about an op is written twice.</summary>
    internal static class Eager
    {
        /// <summary>Numbers the calls: a dropout's mask is keyed by its call (as a plan keys it by the step), and its
        /// gradient uses the same one.</summary>
        private static long s_calls;

        public static Tensor Run(OpKind kind, params Tensor[] inputs) => Run(kind, Array.Empty<double>(), inputs);

        public static Tensor Run(OpKind kind, double[] args, params Tensor[] inputs)
            => !EagerMode.Training && OpRegistry.Get(kind).IsIdentityWhenInferring
                ? inputs[0]
                : Run(kind, Refused(() => OpRegistry.Get(kind).FromCall("call", args)), inputs, Interlocked.Increment(ref s_calls));

        /// <param name="call">Keys dropout's mask: a call with the same number draws the same one.</param>
        /// <returns>The op's value; null for an op that only updates operands in place.</returns>
        internal static Tensor Run(OpKind kind, OpAttributes? attributes, Tensor[] inputs, long call)
        {
            if (OpRegistry.Get(kind) is CompositeOp composite) return new Parts(inputs, call).Value(composite, attributes);
            var (graph, op) = Build(kind, attributes, inputs);
            var y = Compute(graph, op, new List<Tensor>(inputs), call);
            if (y == null || y.IsInteger) return y!;
            return Tensor.Record(y, dy => new Tape(Build(kind, attributes, inputs), inputs, y, call).Backward(dy), inputs);
        }

        /// <summary>A graph of the operands and the op alone: the op's definition checks the operands on the way in.</summary>
        private static (LogicalGraph Graph, LogicalOp Op) Build(OpKind kind, OpAttributes? attributes, Tensor[] inputs)
            => Refused(() => SingleOp.Build(kind, Array.ConvertAll(inputs, t => new Shape(t.Shape.ToArray())),
                Array.ConvertAll(inputs, t => t.IsMask ? DType.Bool : t.IsInteger ? DType.I32 : DType.F32), attributes));

        /// <summary>A shape the op refuses is the caller's mistake.</summary>
        private static T Refused<T>(Func<T> build)
        {
            try
            {
                return build();
            }
            catch (PlanException e)
            {
                throw new ArgumentException(e.Message, e);
            }
        }

        /// <summary>Runs <paramref name="op"/>'s CPU kernel on the tensors its inputs name in <paramref name="values"/>;
        /// null for an op without output, whose changed operands are marked so (a runner then reloads them).</summary>
        private static Tensor? Compute(LogicalGraph graph, LogicalOp op, List<Tensor> values, long call)
        {
            var inputs = new Array[op.Inputs.Length];
            for (int i = 0; i < inputs.Length; i++)
            {
                var value = values[op.Inputs[i]];
                inputs[i] = value.IsInteger ? value.IntegerData : value.Host;
            }
            var context = new CpuKernelContext(SingleOp.Geometry(graph, op)) { Piece = call };
            if (op.Output < 0)
            {
                CpuKernels.RunWhole(context, inputs, null);
                foreach (int i in OpRegistry.Get(op.Kind).UpdatedOperands(op)) values[op.Inputs[i]].HostChanged();
                return null;
            }
            var output = graph.Tensor(op.Output);
            var shape = output.Shape.ToArray();
            if (output.DType != DType.F32)
            {
                var integers = new int[output.Shape.Elements];
                CpuKernels.RunWhole(context, inputs, integers);
                return output.DType == DType.Bool ? Tensor.Mask(integers, shape) : Tensor.From(integers, shape);
            }
            var floats = new float[output.Shape.Elements];
            CpuKernels.RunWhole(context, inputs, floats);
            return Tensor.Wrap(floats, shape);
        }

        /// <summary>A composite op's parts computed one after another on the call's tensors, each an eager call of its
        /// own (so each records its gradient), in the mode eager calls are in.</summary>
        private sealed class Parts : CompositeBuilder
        {
            private readonly List<Tensor> _values;
            private readonly int _operands;
            private readonly long _call;

            public Parts(Tensor[] operands, long call)
            {
                _values = new List<Tensor>(operands);
                _operands = operands.Length;
                _call = call;
            }

            public Tensor Value(CompositeOp op, OpAttributes? attributes)
                => _values[Refused(() => op.Expand(this, Enumerable.Range(0, _operands).ToArray(), attributes))];

            public override bool Training => EagerMode.Training;

            public override Shape ShapeOf(int tensor) => new Shape(_values[tensor].Shape.ToArray());

            public override string NameOf(int tensor) => tensor >= _operands ? "its part" : _operands == 1 ? "x" : "operand " + (tensor + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

            public override int Add(OpKind kind, int[] inputs, string part, OpAttributes? attributes = null)
            {
                var value = Run(kind, attributes, inputs.Select(i => _values[i]).ToArray(), _call);
                if (value == null) return -1;
                _values.Add(value);
                return _values.Count - 1;
            }

            public override PlanException Mismatch(string message) => new PlanException(PlanErrorKind.ShapeMismatch, "call", message);
        }

        /// <summary>One eager call's backward step: the op's gradient rule, its ops computed as it emits them. Tensor
        /// ids are those of a graph of the call alone: the operands first, then the output, then the gradient and what
        /// the rule adds.</summary>
        private sealed class Tape : GradientBuilder
        {
            private readonly LogicalGraph _graph;
            private readonly LogicalOp _op;
            private readonly List<Tensor> _values;
            private readonly long _call;

            public Tape((LogicalGraph Graph, LogicalOp Op) call, Tensor[] inputs, Tensor output, long number)
            {
                (_graph, _op) = call;
                _values = new List<Tensor>(inputs) { output };
                _call = number;
            }

            public void Backward(float[] dy)
            {
                var output = _graph.Tensor(_op.Output);
                var gradient = _graph.AddTensor("d" + output.Name, output.Shape, DType.F32, TensorRole.Gradient);
                _values.Add(Tensor.Wrap(dy, output.Shape.ToArray()));
                OpRegistry.Get(_op.Kind).Backward(this, _op, gradient.Id);
            }

            public override bool NeedsGradient(int tensor) => tensor < _op.Inputs.Length && _values[tensor].RequiresGrad;

            public override Shape ShapeOf(int tensor) => _graph.Tensor(tensor).Shape;

            public override int Emit(OpKind kind, int[] inputs, int of, OpAttributes? attributes = null)
            {
                var op = Refused(() => SingleOp.Add(_graph, kind, inputs, "d" + _graph.Tensor(of).Name, attributes));
                _values.Add(Compute(_graph, op, _values, _call)!);
                return op.Output;
            }

            public override void Accumulate(int tensor, int gradient) => _values[tensor].Accumulate(_values[gradient].Host);
        }
    }
}
