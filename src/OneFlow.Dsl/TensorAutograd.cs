using System;
using System.Collections.Generic;
using System.Numerics.Tensors;

namespace OneFlow.Dsl
{
    /// <summary>Eager reverse-mode autograd, micrograd style: each op result remembers its operands and how to
    /// push its gradient back to them.</summary>
    public sealed partial class Tensor
    {
        private Tensor[] _parents = Array.Empty<Tensor>();
        private Action<float[]>? _backward;

        /// <summary>True for weights and for every result computed from one.</summary>
        public bool RequiresGrad { get; internal set; }

        /// <summary>d loss / d this, after <see cref="Backward"/>; null before.</summary>
        public Tensor? Grad { get; internal set; }

        /// <summary>Makes <paramref name="result"/> differentiable through <paramref name="backward"/>, which
        /// receives the result's gradient, if any operand needs a gradient.</summary>
        internal static Tensor Record(Tensor result, Action<float[]> backward, params Tensor[] parents)
        {
            foreach (var p in parents)
            {
                if (!p.RequiresGrad) continue;
                result.RequiresGrad = true;
                result._parents = parents;
                result._backward = backward;
                break;
            }
            return result;
        }

        /// <summary>Computes the gradient of this scalar with respect to every weight it depends on.</summary>
        public void Backward()
        {
            if (Length != 1) throw new InvalidOperationException($"Backward() starts from a scalar loss, but this tensor is {ShapeText}.");
            var order = new List<Tensor>();
            TopologicalOrder(this, new HashSet<Tensor>(), order);
            Grad = Wrap(new[] { 1f }, _shape);
            for (int i = order.Count - 1; i >= 0; i--)
                if (order[i]._backward != null && order[i].Grad != null) order[i]._backward!(order[i].Grad!._data!);
        }

        /// <summary>Adds <paramref name="gradient"/> into this tensor's gradient.</summary>
        internal void Accumulate(float[] gradient)
        {
            if (!RequiresGrad) return;
            if (Grad == null) Grad = Wrap((float[])gradient.Clone(), _shape);
            else TensorPrimitives.Add(Grad._data!, gradient, Grad._data!);
        }

        private static void TopologicalOrder(Tensor t, HashSet<Tensor> seen, List<Tensor> order)
        {
            if (!seen.Add(t)) return;
            foreach (var p in t._parents) TopologicalOrder(p, seen, order);
            order.Add(t);
        }
    }
}
