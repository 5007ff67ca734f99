using System.Threading;

namespace OneFlow.Dsl
{
    /// <summary>Whether eager calls train or evaluate, as PyTorch's <c>model.train()</c> and <c>model.eval()</c>: in
    /// evaluation dropout (and every op an inference plan drops) passes its input through. A network's generated
    /// <c>Train()</c> and <c>Eval()</c> set it for the code that runs after them (this thread and what it awaits);
    /// <c>Infer</c> always evaluates.</summary>
    public static class EagerMode
    {
        private static readonly AsyncLocal<bool> s_evaluating = new AsyncLocal<bool>();

        /// <summary>True (the default) while eager calls train.</summary>
        public static bool Training
        {
            get => !s_evaluating.Value;
            set => s_evaluating.Value = !value;
        }
    }
}
