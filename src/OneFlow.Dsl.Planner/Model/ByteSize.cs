using System.Globalization;

namespace OneFlow.Dsl.Planner.Model
{
    /// <summary>A memory size as people write it: "512 MiB", "1.5 GiB", "800 KiB", "4096 B". Units are binary (a KiB is
    /// 1024 bytes), and "MB", "GB" and "KB" are read as memory sizes usually are, binary too (JEDEC's usage).</summary>
    public static class ByteSize
    {
        public static bool TryParse(string? text, out long bytes)
        {
            bytes = 0;
            if (text == null) return false;
            string t = text.Trim().ToUpperInvariant();
            long unit = 1;
            foreach (var (suffix, size) in new[] { ("GIB", 1L << 30), ("MIB", 1L << 20), ("KIB", 1L << 10), ("GB", 1L << 30), ("MB", 1L << 20), ("KB", 1L << 10), ("B", 1L) })
                if (t.EndsWith(suffix, System.StringComparison.Ordinal)) { unit = size; t = t.Substring(0, t.Length - suffix.Length).Trim(); break; }
            if (!double.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) || value <= 0 || value * unit > long.MaxValue) return false;
            bytes = (long)(value * unit);
            return true;
        }
    }
}
