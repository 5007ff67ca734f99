using System;

namespace OneFlow.Dsl.Planner.Model
{
    /// <summary>The network cannot be planned as written. <see cref="Subject"/> names the field, statement or
    /// attribute at fault so that the generator can point a diagnostic at it.</summary>
    public sealed class PlanException : Exception
    {
        public string Subject { get; }

        public PlanException(string subject, string message) : base(message) => Subject = subject;
    }
}
