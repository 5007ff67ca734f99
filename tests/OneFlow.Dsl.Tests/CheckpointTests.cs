using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text;
using OneFlow.Dsl.Checkpoints;
using Xunit;

namespace OneFlow.Dsl.Tests
{
    /// <summary>Weights in safetensors files: round trips, continuing training under another placement, atomic
    /// writes, and every malformed file refused with its reason and without touching the model.</summary>
    public class CheckpointTests : IDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("oneflow-checkpoints-").FullName;

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        private string File(string name) => Path.Combine(_dir, name);

        [Fact]
        public void Weights_round_trip_exactly()
        {
            var a = new Mlp(seed: 1);
            a.SaveWeights(File("mlp.safetensors"));
            var b = new Mlp(seed: 2);
            b.LoadWeights(File("mlp.safetensors"));
            for (int i = 0; i < a.Parameters.Count; i++) Assert.Equal(a.Parameters[i].ToArray(), b.Parameters[i].ToArray());
        }

        /// <summary>Trained on four devices (w1 split by columns), saved, loaded into a fresh model trained on one
        /// device: the next steps' losses are those the first model goes on to.</summary>
        [Fact]
        public void A_checkpoint_from_four_devices_continues_on_one_with_the_same_losses()
        {
            var model = new Mlp(seed: 7);
            using var four = model.Trainer(new Sgd(0.1f));
            for (int s = 0; s < 5; s++) four.Step(Data.Floats(100 + s, 64, 784), Data.Labels(200 + s, 64, 10));
            model.SaveWeights(File("step5.safetensors"));
            var resumed = new Mlp(seed: 99);
            resumed.LoadWeights(File("step5.safetensors"));
            using var one = resumed.Trainer(new Sgd(0.1f), "cpu:0");
            Agreement.SameLosses(5, s =>
            {
                var (x, y) = (Data.Floats(105 + s, 64, 784), Data.Labels(205 + s, 64, 10));
                return (one.Step(x, y), four.Step(x, y));
            });
        }

        /// <summary>AdamW with a schedule on four devices, its checkpoint (weights, both states, the step) resumed on
        /// one device: the next steps' losses are the ones the first trainer goes on to.</summary>
        [Fact]
        public void Optimizer_state_and_step_resume_under_another_placement()
        {
            AdamW Make() => new AdamW(2e-3f) { Schedule = LearningRateSchedule.WarmupCosine(warmup: 4, total: 20) };
            using var four = new Mlp(seed: 7).Trainer(Make());
            for (int s = 0; s < 5; s++) four.Step(Data.Floats(100 + s, 64, 784), Data.Labels(200 + s, 64, 10));
            four.SaveCheckpoint(File("adamw.safetensors"));
            Assert.Contains(SafeTensors.Read(File("adamw.safetensors"), out var meta), t => t.Name == "w1.v");
            Assert.Equal("5", meta["step"]);
            using var one = new Mlp(seed: 1).Trainer(Make(), "cpu:0");
            one.LoadCheckpoint(File("adamw.safetensors"));
            Assert.Equal(5, one.Steps);
            Agreement.SameLosses(5, s =>
            {
                var (x, y) = (Data.Floats(105 + s, 64, 784), Data.Labels(205 + s, 64, 10));
                return (one.Step(x, y), four.Step(x, y));
            });
        }

        [Fact]
        public void A_checkpoint_without_this_optimizers_state_is_refused()
        {
            new Mlp(seed: 1).SaveWeights(File("weights-only.safetensors"));
            using var trainer = new Mlp(seed: 2).Trainer(new Adam(1e-3f), "cpu:0");
            var e = Assert.Throws<InvalidDataException>(() => trainer.LoadCheckpoint(File("weights-only.safetensors")));
            Assert.Contains("has no optimizer state 'w1.m'", e.Message);
        }

        [Fact]
        public void A_failed_write_leaves_the_previous_file_whole_and_no_temporary()
        {
            string path = File("mlp.safetensors");
            var model = new Mlp(seed: 1);
            model.SaveWeights(path);
            byte[] before = System.IO.File.ReadAllBytes(path);
            var tensors = new Mlp(seed: 2).Parameters.Select((p, i) => new NamedTensor("w" + i, p.Shape.ToArray(), p.ToArray()));
            Assert.Throws<IOException>(() => SafeTensors.Write(path, tensors, s => new FailingStream(s, failAfter: 1000)));
            Assert.Equal(before, System.IO.File.ReadAllBytes(path));
            Assert.Equal(new[] { path }, Directory.GetFiles(_dir));
        }

        private static byte[] Header(string json, int dataBytes, ulong? claimed = null)
        {
            byte[] text = Encoding.UTF8.GetBytes(json);
            var bytes = new byte[8 + text.Length + dataBytes];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, claimed ?? (ulong)text.Length);
            text.CopyTo(bytes, 8);
            return bytes;
        }

        public static TheoryData<string, string> Malformed() => new TheoryData<string, string>
        {
            { "short", "truncated (4 bytes" },
            { "oversized", "more than the" },
            { "beyond", "the header claims 9999 bytes, but only" },
            { "json", "header is not valid JSON" },
            { "dtype", "tensor 'b2' is F16; only F32" },
            { "range", "needs 40 bytes, but its range holds 8" },
            { "body", "truncated (tensor 'b2' needs bytes 0–40 of the data, which has 12)" },
            { "fields", "needs dtype, shape and data_offsets" },
        };

        [Theory]
        [MemberData(nameof(Malformed))]
        public void Malformed_files_are_refused_with_the_reason_and_change_nothing(string kind, string message)
        {
            string path = File(kind + ".safetensors");
            byte[] bytes = kind switch
            {
                "short" => new byte[4],
                "oversized" => Header("{}", 0, claimed: ulong.MaxValue / 2),
                "beyond" => Header("{}", 0, claimed: 9999),
                "json" => Header("{\"b2\": {\"dtype\": ", 0),
                "dtype" => Header("{\"b2\":{\"dtype\":\"F16\",\"shape\":[10],\"data_offsets\":[0,20]}}", 20),
                "range" => Header("{\"b2\":{\"dtype\":\"F32\",\"shape\":[10],\"data_offsets\":[0,8]}}", 8),
                "body" => Header("{\"b2\":{\"dtype\":\"F32\",\"shape\":[10],\"data_offsets\":[0,40]}}", 12),
                _ => Header("{\"b2\":{\"dtype\":\"F32\"}}", 0),
            };
            System.IO.File.WriteAllBytes(path, bytes);
            var model = new Mlp(seed: 3);
            var before = model.Parameters.Select(p => p.ToArray()).ToArray();
            var e = Assert.Throws<InvalidDataException>(() => model.LoadWeights(path));
            Assert.Contains(message, e.Message);
            for (int i = 0; i < before.Length; i++) Assert.Equal(before[i], model.Parameters[i].ToArray());
        }

        [Fact]
        public void A_file_of_another_network_is_refused_naming_the_difference()
        {
            string path = File("other.safetensors");
            var model = new Mlp(seed: 3);
            var tensors = model.Parameters.Select((p, i) => new NamedTensor(new[] { "w1", "b1", "w2", "b2" }[i], p.Shape.ToArray(), p.ToArray())).ToList();
            SafeTensors.Write(path, tensors.Take(3));
            Assert.Contains("has no tensor named 'b2'", Assert.Throws<InvalidDataException>(() => model.LoadWeights(path)).Message);
            SafeTensors.Write(path, tensors.Append(new NamedTensor("w9", new[] { 2 }, new float[2])));
            Assert.Contains("a tensor 'w9' that the network does not have", Assert.Throws<InvalidDataException>(() => model.LoadWeights(path)).Message);
            SafeTensors.Write(path, tensors.Select(t => t.Name == "w1" ? t with { Shape = new[] { 512, 784 } } : t));
            Assert.Contains("tensor 'w1' is [512,784], but the network's w1 is [784,512]", Assert.Throws<InvalidDataException>(() => model.LoadWeights(path)).Message);
        }

        private sealed class FailingStream : Stream
        {
            private readonly Stream _inner;
            private long _left;
            public FailingStream(Stream inner, long failAfter) { _inner = inner; _left = failAfter; }
            public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
            public override void Write(ReadOnlySpan<byte> buffer)
            {
                if (buffer.Length > _left) throw new IOException("disk full (simulated)");
                _left -= buffer.Length;
                _inner.Write(buffer);
            }
            public override void Flush() => _inner.Flush();
            public override bool CanRead => false;
            public override bool CanSeek => false;
            public override bool CanWrite => true;
            public override long Length => _inner.Length;
            public override long Position { get => _inner.Position; set => throw new NotSupportedException(); }
            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
        }
    }
}
