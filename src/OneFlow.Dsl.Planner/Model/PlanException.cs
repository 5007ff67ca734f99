using System;

namespace OneFlow.Dsl
{
    /// <summary>What is wrong with a network; the generator maps each kind to its diagnostic id.</summary>
    public enum PlanErrorKind
    {
        ShapeMismatch,
        SbpAxisOutOfRange,
        SbpSyntax,
        NoSignature,
        PlacementSyntax,
        PlacementConflict,
        SplitTooSmall,
        UnknownValue,
        BadDeclaration,
        BadLoss,
        MissingInput,
        MemoryBudget,
    }

    /// <summary>The network cannot be planned as written: thrown by a build's generator (as a diagnostic) and, for plans
    /// made at run time (another placement, another optimizer, a decoder), by the call that plans. <see cref="Subject"/> names what is at fault, so that
    /// the generator can point a diagnostic at it: a field or parameter ("w1"), one of its attributes ("w1:sbp",
    /// "w1:dims"), a statement by the value it defines, or "Placement", "Batch", "Forward", "Loss".</summary>
    public sealed class PlanException : Exception
    {
        public PlanErrorKind Kind { get; }
        public string Subject { get; }

        public PlanException(PlanErrorKind kind, string subject, string message) : base(message)
        {
            Kind = kind;
            Subject = subject;
        }
    }

    public enum PlanWarningKind { UnevenSplit, UnusedWeight }

    /// <summary>Something that plans but is probably not what the user meant.</summary>
    public sealed record PlanWarning(PlanWarningKind Kind, string Subject, string Message);
}
