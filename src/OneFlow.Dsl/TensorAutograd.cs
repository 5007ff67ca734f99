using System;
using System.Collections.Generic;
using System.Numerics.Tensors;

namespace OneFlow.Dsl
{
    /// <summary>Eager reverse-mode autograd, micrograd style: each op result remembers its operands and how to push its
    /// gradient back to them (the op's own gradient rule, see <c>Eager</c>). As in PyTorch, <see cref="Backward"/>
    /// fills the gradient of every leaf that requires one — a weight, or any tensor the user marked — adding to what
    /// an earlier call left there until <see cref="ZeroGrad"/>.</summary>
    public sealed partial class Tensor
    {
        private Tensor[] _parents = Array.Empty<Tensor>();
        private Action<float[]>? _backward;
        private bool _requiresGrad;

        /// <summary>The gradients of one backward pass, by tensor: results' gradients live only here.</summary>
        [ThreadStatic] private static Dictionary<Tensor, float[]>? s_pass;

        /// <summary>True for weights, for tensors the user marks (to get their <see cref="Grad"/>), and for every
        /// result computed from one.</summary>
        public bool RequiresGrad
        {
            get => _requiresGrad;
            set
            {
                if (value && IsInteger) throw new InvalidOperationException($"Tensor{ShapeText} holds integers (labels or ids), which have no gradient.");
                _requiresGrad = value;
            }
        }

        /// <summary>d loss / d this, summed over every <see cref="Backward"/> since the last <see cref="ZeroGrad"/>;
        /// null before. Only leaves keep one: a result's gradient passes through.</summary>
        public Tensor? Grad { get; internal set; }

        /// <summary>Forgets the gradient, as PyTorch's <c>x.grad = None</c>.</summary>
        public void ZeroGrad() => Grad = null;

        /// <summary>True for a tensor no recorded op produced: a weight or one made by the user.</summary>
        public bool IsLeaf => _backward == null;

        /// <summary>Makes <paramref name="result"/> differentiable through <paramref name="backward"/>, which
        /// receives the result's gradient, if any operand needs a gradient.</summary>
        internal static Tensor Record(Tensor result, Action<float[]> backward, params Tensor[] parents)
        {
            foreach (var p in parents)
            {
                if (!p.RequiresGrad) continue;
                result._requiresGrad = true;
                result._parents = parents;
                result._backward = backward;
                break;
            }
            return result;
        }

        /// <summary>Computes the gradient of this scalar with respect to every leaf that requires one, adding it to
        /// the leaf's <see cref="Grad"/>.</summary>
        public void Backward()
        {
            if (Length != 1) throw new InvalidOperationException($"Backward() starts from a scalar loss, but this tensor is {ShapeText}.");
            if (!RequiresGrad) throw new InvalidOperationException("Backward(): nothing this tensor was computed from requires a gradient; mark a tensor with RequiresGrad = true, or use a model's weights.");
            var order = new List<Tensor>();
            TopologicalOrder(this, new HashSet<Tensor>(), order);
            var pass = new Dictionary<Tensor, float[]> { [this] = new[] { 1f } };
            var outer = s_pass;
            s_pass = pass;
            try
            {
                for (int i = order.Count - 1; i >= 0; i--)
                {
                    var t = order[i];
                    if (!pass.TryGetValue(t, out var gradient)) continue;
                    if (t._backward != null) t._backward(gradient);
                    else if (t.RequiresGrad) t.AddToGrad(gradient);
                }
            }
            finally
            {
                s_pass = outer;
            }
        }

        /// <summary>Adds <paramref name="gradient"/> to this tensor's gradient in the running backward pass.</summary>
        internal void Accumulate(float[] gradient)
        {
            if (!RequiresGrad) return;
            var pass = s_pass ?? throw new InvalidOperationException("A gradient flowed outside a backward pass.");
            if (pass.TryGetValue(this, out var sum)) TensorPrimitives.Add(sum, gradient, sum);
            else pass[this] = (float[])gradient.Clone();
        }

        private void AddToGrad(float[] gradient)
        {
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
