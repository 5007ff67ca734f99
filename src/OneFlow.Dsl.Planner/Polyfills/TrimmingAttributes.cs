namespace System.Diagnostics.CodeAnalysis
{
    /// <summary>netstandard2.0 lacks it; the trimmer and NativeAOT's compiler recognise it by its name, so that the op
    /// registry's <c>Activator.CreateInstance</c> of each definition keeps its constructor in a published app. (The
    /// backends see it through InternalsVisibleTo beside their own framework's copy: they must not name it.)</summary>
    [AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.ReturnValue, Inherited = false)]
    internal sealed class DynamicallyAccessedMembersAttribute : Attribute
    {
        public DynamicallyAccessedMembersAttribute(DynamicallyAccessedMemberTypes memberTypes) => MemberTypes = memberTypes;

        public DynamicallyAccessedMemberTypes MemberTypes { get; }
    }

    /// <summary>The one member kind the planner asks the trimmer to keep; the value is the framework's.</summary>
    [Flags]
    internal enum DynamicallyAccessedMemberTypes
    {
        PublicParameterlessConstructor = 0x0001,
    }
}
