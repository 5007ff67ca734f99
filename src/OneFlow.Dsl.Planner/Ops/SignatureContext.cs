using OneFlow.Dsl.Planner.Model;

namespace OneFlow.Dsl.Planner.Ops
{
    /// <summary>One operand as an op's signatures see it: its shape, and its SBP along the mesh axis being enumerated
    /// (what an op that follows an operand's layout, an update following its weight, reads).</summary>
    internal readonly struct SignatureOperand
    {
        private readonly NdSbp _sbp;
        private readonly int _meshAxis;

        public SignatureOperand(string name, Shape shape, DType type, NdSbp sbp, int meshAxis)
        {
            Name = name; Shape = shape; Type = type; _sbp = sbp; _meshAxis = meshAxis;
        }

        public string Name { get; }
        public Shape Shape { get; }
        public DType Type { get; }

        /// <summary>The operand's current SBP along the mesh axis; read only by ops whose signatures follow their
        /// operands (<see cref="OpDef.SignaturesFollowOperands"/>), the others' operands having none chosen yet.</summary>
        public Sbp Sbp => _sbp[_meshAxis];
        public int Rank => Shape.Rank;
    }

    /// <summary>Everything <see cref="OpDef.Signatures"/> may read: the operands by name, the output's shape, the op's
    /// attributes, and the mesh axis and device count the signatures are for.</summary>
    internal sealed class SignatureContext
    {
        private readonly LogicalGraph _graph;
        private readonly LogicalOp _op;
        private readonly string[] _names;

        public SignatureContext(LogicalGraph graph, LogicalOp op, int meshAxis, int devices)
        {
            _graph = graph;
            _op = op;
            _names = OpRegistry.Get(op.Kind).Operands;
            MeshAxis = meshAxis;
            Devices = devices;
        }

        /// <summary>The mesh axis whose 1-D signatures are enumerated (0 on a 1-D placement).</summary>
        public int MeshAxis { get; }

        /// <summary>The devices along a 1-D placement; 0 on a mesh, where other axes may already have cut the same
        /// dimension. Lets an op offer splits that hold only when the device count divides a length.</summary>
        public int Devices { get; }

        /// <summary>The op's attributes, for its typed accessor (<c>SliceOp.Attributes(c.Op)</c>).</summary>
        public IOpAttributes Op => _op;

        public int InputCount => _op.Inputs.Length;

        public Shape Output => _graph.Tensor(_op.Output).Shape;

        /// <summary>An operand by position, for an op whose operands repeat (an update of several weights).</summary>
        public SignatureOperand Operand(int index)
        {
            var t = _graph.Tensor(_op.Inputs[index]);
            return new SignatureOperand(index < _names.Length ? _names[index] : "operand " + index, t.Shape, t.DType, t.Sbp, MeshAxis);
        }

        public SignatureOperand Input(string name)
        {
            int index = System.Array.IndexOf(_names, name);
            if (index < 0 || index >= _op.Inputs.Length)
                throw new System.ArgumentException($"{_op.Kind} has no operand '{name}'; its operands are {string.Join(", ", _names)}.", nameof(name));
            var t = _graph.Tensor(_op.Inputs[index]);
            return new SignatureOperand(name, t.Shape, t.DType, t.Sbp, MeshAxis);
        }
    }
}
