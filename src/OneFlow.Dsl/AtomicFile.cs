using System;
using System.IO;

namespace OneFlow.Dsl
{
    /// <summary>Writes a file whole or not at all: into a temporary file beside it, flushed to disk, then moved over
    /// the target, so that a failure midway leaves the old file (or none) and no debris.</summary>
    internal static class AtomicFile
    {
        /// <param name="wrap">Wraps the output stream (tests use it to fail mid-write).</param>
        public static void Write(string path, Func<Stream, Stream> wrap, Action<Stream> write)
        {
            string full = Path.GetFullPath(path);
            string temporary = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N") + ".tmp");
            try
            {
                using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                using (var stream = wrap(file))
                {
                    write(stream);
                    stream.Flush();
                    file.Flush(flushToDisk: true);
                }
                File.Move(temporary, full, overwrite: true);
            }
            catch
            {
                File.Delete(temporary);
                throw;
            }
        }
    }
}
