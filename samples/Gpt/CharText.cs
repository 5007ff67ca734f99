namespace Gpt;

/// <summary>A text as character ids over a fixed vocabulary (newline and printable ASCII, so any file can be read
/// by the one compiled network), split 90/10 into training and validation parts.</summary>
public sealed class CharText
{
    private const char Unknown = '?';

    public int[] Train { get; }
    public int[] Validation { get; }

    /// <summary>How many characters outside the vocabulary were read as '?'.</summary>
    public int Replaced { get; }

    private CharText(string text)
    {
        var ids = new int[text.Length];
        int replaced = 0;
        for (int i = 0; i < text.Length; i++)
        {
            int id = Id(text[i]);
            if (id < 0) { id = Id(Unknown); replaced++; }
            ids[i] = id;
        }
        int cut = text.Length * 9 / 10;
        Train = ids[..cut];
        Validation = ids[cut..];
        Replaced = replaced;
    }

    public static CharText Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No text at {path}; give --data a UTF-8 text file, e.g. ../shared/data/tinyshakespeare/input.txt.", path);
        string text = File.ReadAllText(path);
        if (text.Length < 20 * (Shape.Context + 1))
            throw new InvalidDataException($"{path} has {text.Length} characters; a model with a context of {Shape.Context} needs at least {20 * (Shape.Context + 1)}.");
        return new CharText(text);
    }

    /// <summary>A small text with structure to learn: sentences from a tiny grammar.</summary>
    public static CharText Synthetic(int seed)
    {
        string[] who = { "the cat", "a dog", "the old king", "my friend", "the queen", "a bird" };
        string[] did = { "sat on", "looked at", "ran to", "sang to", "spoke with", "waited for" };
        string[] what = { "the mat", "the hill", "a river", "the castle", "her brother", "the moon" };
        var random = new Random(seed);
        var text = new System.Text.StringBuilder();
        while (text.Length < 200_000)
            text.Append(Capital(who[random.Next(who.Length)])).Append(' ').Append(did[random.Next(did.Length)]).Append(' ')
                .Append(what[random.Next(what.Length)]).Append(random.Next(4) == 0 ? ".\n" : ". ");
        return new CharText(text.ToString());
    }

    private static string Capital(string s) => char.ToUpperInvariant(s[0]) + s[1..];

    /// <summary>0 for a newline, 1-95 for ' ' to '~'; -1 for anything else.</summary>
    public static int Id(char c) => c == '\n' ? 0 : c >= ' ' && c <= '~' ? c - ' ' + 1 : -1;

    public static char Char(int id) => id == 0 ? '\n' : (char)(' ' + id - 1);
}
