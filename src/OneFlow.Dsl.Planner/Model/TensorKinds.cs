namespace OneFlow.Dsl.Planner.Model
{
    /// <summary>What a tensor's elements are: floats; integers (ids, class labels, positions); or a boolean mask, a
    /// comparison's, stored as 32-bit 0 and 1 like the integers.</summary>
    public enum DType { F32, I32, Bool }

    /// <summary>What a tensor is for. An accumulated tensor sums a step's micro-batches and lives through the step. A
    /// buffer is state a network keeps beside its weights but does not train (batch norm's running statistics):
    /// saved, loaded and kept across steps like a weight, updated by the ops that own it.</summary>
    public enum TensorRole { Input, Label, Weight, Activation, Loss, Gradient, Boxed, OptimizerState, Accumulated, Buffer, Fused }

    /// <summary>How a training plan updates each weight from its gradient: plain SGD, SGD with momentum (one state
    /// tensor per weight), Adam/AdamW (two), or Adagrad (one: the sum of squared gradients). The hyperparameters are
    /// run-time values.</summary>
    public enum UpdateRule { Sgd, Momentum, Adam, Adagrad }
}
