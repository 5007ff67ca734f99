using System;
using System.Collections.Generic;
using OneFlow.Dsl.Runtime.Kernels;

namespace OneFlow.Dsl
{
    /// <summary>Plain stochastic gradient descent: w −= lr · dw. In a plan its update ops sit beside each weight's
    /// shard; eagerly, <see cref="Step"/> applies it to tensors that hold gradients.</summary>
    public sealed class Sgd
    {
        public float LearningRate { get; }

        public Sgd(float lr)
        {
            if (!(lr > 0) || float.IsInfinity(lr)) throw new ArgumentOutOfRangeException(nameof(lr), $"The learning rate must be positive and finite, not {lr}.");
            LearningRate = lr;
        }

        /// <summary>The eager update: applies and clears the gradient of every parameter.</summary>
        public void Step(IEnumerable<Tensor> parameters)
        {
            foreach (var p in parameters)
            {
                if (p.Grad == null) continue;
                Elementwise.SgdUpdate(p.Host, p.Grad.Host, LearningRate);
                p.HostChanged();
                p.Grad = null;
            }
        }
    }
}
