namespace OneFlow.Dsl
{
    /// <summary>Adam: <see cref="AdamW"/> without weight decay.</summary>
    public sealed class Adam : AdamW
    {
        public Adam(float lr, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f) : base(lr, beta1, beta2, epsilon, weightDecay: 0f) { }
    }
}
