namespace OneFlow.Dsl.Planner.Model
{
    public enum DType { F32, I32 }

    /// <summary>What a tensor is for. An accumulated tensor sums a step's micro-batches and lives through the step. A
    /// buffer is state a network keeps beside its weights but does not train (batch norm's running statistics):
    /// saved, loaded and kept across steps like a weight, updated by the ops that own it.</summary>
    public enum TensorRole { Input, Label, Weight, Activation, Loss, Gradient, Boxed, OptimizerState, Accumulated, Buffer }

    /// <summary>How a training plan updates each weight from its gradient: plain SGD, SGD with momentum (one state
    /// tensor per weight), Adam/AdamW (two), or Adagrad (one: the sum of squared gradients). The hyperparameters are
    /// run-time values.</summary>
    public enum UpdateRule { Sgd, Momentum, Adam, Adagrad }
}
