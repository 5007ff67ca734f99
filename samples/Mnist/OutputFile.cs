/// <summary>A file the user asked for (--save, --export): written, or, where it cannot be, reported without losing the
/// run's result.</summary>
static class OutputFile
{
    public static void Write(string? path, string what, Action<string> write)
    {
        if (path is null) return;
        try
        {
            write(path);
            Console.WriteLine($"{what} written to {path}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"could not write {path}: {e.Message}");
        }
    }
}
