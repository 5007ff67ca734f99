namespace System.Runtime.CompilerServices
{
    /// <summary>Lets netstandard2.0 mark module initializers: each op file registers its definitions in one, so that
    /// the registry needs no list of ops to keep.</summary>
    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    internal sealed class ModuleInitializerAttribute : Attribute { }
}
