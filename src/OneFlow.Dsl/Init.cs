namespace OneFlow.Dsl
{
    /// <summary>How a [Weight] is drawn from the network's seed, as torch.nn.init's functions (fan_in and fan_out
    /// as PyTorch counts them: a weight [out, in, k…] has fan_in = in·k… and fan_out = out·k…).</summary>
    public enum Init
    {
        /// <summary>Matrices uniform in ±1/√fan_in with fan_in their first dimension (an [in, out] MatMul weight's
        /// inputs; a convolution's C·kH·kW), vectors zero; Linear's operands as PyTorch's Linear.</summary>
        Default,
        /// <summary><c>kaiming_uniform_(a=√5)</c>, PyTorch's Linear and Conv default: uniform in ±1/√fan_in.</summary>
        KaimingUniform,
        /// <summary><c>xavier_uniform_</c>: uniform in ±√(6 / (fan_in + fan_out)).</summary>
        XavierUniform,
        /// <summary>Uniform in ±Bound.</summary>
        Uniform,
        /// <summary><c>normal_(0, Std)</c>.</summary>
        Normal,
        /// <summary>Normal with standard deviation Std, redrawn outside two standard deviations (<c>trunc_normal_(std=Std,
        /// a=−2·Std, b=2·Std)</c>, as ViT and BERT use it).</summary>
        TruncNormal,
        Zeros,
        Ones,
    }
}
