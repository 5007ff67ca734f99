using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace OneFlow.Dsl.Checkpoints
{
    /// <summary>One tensor of a safetensors file: its name, shape and float32 values (row-major).</summary>
    public sealed record NamedTensor(string Name, int[] Shape, float[] Values);

    /// <summary>The safetensors format, the one the PyTorch ecosystem exchanges weights in: an 8-byte little-endian
    /// header length, a JSON header naming each tensor's dtype, shape and byte range, then the bytes. Writing goes to a
    /// temporary file renamed over the target at the end, so a crash mid-write leaves the previous file whole. Reading
    /// checks everything before returning anything: a file that is truncated, has an oversized or malformed header,
    /// or ranges that do not fit is refused with the reason.</summary>
    public static class SafeTensors
    {
        /// <summary>More header than any weight file needs; beyond it the length field is more likely garbage.</summary>
        public const long MaxHeaderBytes = 100 << 20;

        public static void Write(string path, IEnumerable<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
            => Write(path, tensors, s => s, metadata);

        /// <param name="wrap">Wraps the output stream (tests use it to fail mid-write).</param>
        internal static void Write(string path, IEnumerable<NamedTensor> tensors, Func<Stream, Stream> wrap, IReadOnlyDictionary<string, string>? metadata = null)
        {
            var list = tensors.ToList();
            byte[] json = Header(list, metadata);
            // The data starts on an 8-byte boundary, as the format's writers pad it.
            int padded = (json.Length + 7) / 8 * 8;
            AtomicFile.Write(path, wrap, stream =>
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
                stream.Write(length);
                stream.Write(json);
                for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
                foreach (var t in list) stream.Write(MemoryMarshal.AsBytes(t.Values.AsSpan()));
            });
        }

        /// <summary>The JSON header: each tensor's type, shape and byte range, in order, after any metadata (written with
        /// a Utf8JsonWriter, which needs no reflection).</summary>
        private static byte[] Header(IReadOnlyList<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata)
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                if (metadata != null && metadata.Count > 0)
                {
                    json.WriteStartObject("__metadata__");
                    foreach (var (key, value) in metadata) json.WriteString(key, value);
                    json.WriteEndObject();
                }
                long offset = 0;
                foreach (var t in tensors)
                {
                    long bytes = (long)t.Values.Length * sizeof(float);
                    json.WriteStartObject(t.Name);
                    json.WriteString("dtype", "F32");
                    json.WriteStartArray("shape");
                    foreach (int d in t.Shape) json.WriteNumberValue(d);
                    json.WriteEndArray();
                    json.WriteStartArray("data_offsets");
                    json.WriteNumberValue(offset);
                    json.WriteNumberValue(offset + bytes);
                    json.WriteEndArray();
                    json.WriteEndObject();
                    offset += bytes;
                }
                json.WriteEndObject();
            }
            return buffer.WrittenSpan.ToArray();
        }

        /// <summary>Every tensor of the file, checked: F32 only, shapes and byte ranges consistent with the data.</summary>
        public static IReadOnlyList<NamedTensor> Read(string path) => Read(path, out _);

        /// <summary>Every tensor of the file and its string metadata (the "__metadata__" entry).</summary>
        public static IReadOnlyList<NamedTensor> Read(string path, out IReadOnlyDictionary<string, string> metadata)
        {
            var meta = new Dictionary<string, string>();
            metadata = meta;
            byte[] bytes = File.ReadAllBytes(path);
            string Where() => $"{path} is not a valid safetensors file";
            if (bytes.Length < 8) throw new InvalidDataException($"{Where()}: it is truncated ({bytes.Length} bytes; the header length alone takes 8).");
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            if (headerLength > MaxHeaderBytes) throw new InvalidDataException($"{Where()}: its header claims {headerLength} bytes, more than the {MaxHeaderBytes} allowed.");
            if ((long)headerLength > bytes.Length - 8) throw new InvalidDataException($"{Where()}: it is truncated (the header claims {headerLength} bytes, but only {bytes.Length - 8} follow).");
            int dataStart = 8 + (int)headerLength;
            long dataLength = bytes.Length - dataStart;
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{Where()}: its header is not valid JSON ({e.Message}).");
            }
            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{Where()}: its header is not a JSON object.");
                var result = new List<NamedTensor>();
                foreach (var entry in document.RootElement.EnumerateObject())
                {
                    if (entry.Name == "__metadata__")
                    {
                        if (entry.Value.ValueKind == JsonValueKind.Object)
                            foreach (var m in entry.Value.EnumerateObject()) meta[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText();
                        continue;
                    }
                    var (dtype, shape, begin, end) = Entry(entry, Where);
                    if (dtype != "F32") throw new InvalidDataException($"{Where()}: tensor '{entry.Name}' is {dtype}; only F32 is supported.");
                    long elements = shape.Aggregate(1L, (a, d) => a * d);
                    if (end - begin != elements * sizeof(float))
                        throw new InvalidDataException($"{Where()}: tensor '{entry.Name}' of shape [{string.Join(",", shape)}] needs {elements * 4} bytes, but its range holds {end - begin}.");
                    if (begin < 0 || end > dataLength)
                        throw new InvalidDataException($"{Where()}: it is truncated (tensor '{entry.Name}' needs bytes {begin}–{end} of the data, which has {dataLength}).");
                    var values = new float[elements];
                    bytes.AsSpan(dataStart + (int)begin, (int)(end - begin)).CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
                    result.Add(new NamedTensor(entry.Name, shape, values));
                }
                return result;
            }
        }

        private static (string Dtype, int[] Shape, long Begin, long End) Entry(JsonProperty entry, Func<string> where)
        {
            try
            {
                var e = entry.Value;
                string dtype = e.GetProperty("dtype").GetString() ?? "";
                int[] shape = e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
                var offsets = e.GetProperty("data_offsets").EnumerateArray().Select(o => o.GetInt64()).ToArray();
                if (offsets.Length != 2 || offsets[1] < offsets[0] || shape.Any(d => d < 0)) throw new FormatException("bad offsets or shape");
                return (dtype, shape, offsets[0], offsets[1]);
            }
            catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"{where()}: the header entry for '{entry.Name}' needs dtype, shape and data_offsets [begin, end] ({e.Message}).");
            }
        }
    }
}
