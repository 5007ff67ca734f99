using System.Globalization;

namespace OneFlow.Dsl.Planner.Model
{
    /// <summary>A memory size as people write it: "512 MB", "1.5 GB", "800 KB", "4096 B" (binary units: a KB is 1024
    /// bytes).</summary>
    public static class ByteSize
    {
        public static bool TryParse(string? text, out long bytes)
        {
            bytes = 0;
            if (text == null) return false;
            string t = text.Trim().ToUpperInvariant();
            long unit = 1;
            foreach (var (suffix, size) in new[] { ("GB", 1L << 30), ("MB", 1L << 20), ("KB", 1L << 10), ("B", 1L) })
                if (t.EndsWith(suffix, System.StringComparison.Ordinal)) { unit = size; t = t.Substring(0, t.Length - suffix.Length).Trim(); break; }
            if (!double.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) || value <= 0 || value * unit > long.MaxValue) return false;
            bytes = (long)(value * unit);
            return true;
        }
    }
}
