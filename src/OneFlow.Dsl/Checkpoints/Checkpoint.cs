using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace OneFlow.Dsl.Checkpoints
{
    /// <summary>A network's weights in a safetensors file: one F32 tensor per weight, named by its field, in its
    /// declared shape, whatever the placement it trained on (each weight's host value is the whole tensor; a trainer
    /// on any placement picks loaded values up on its next step, split as its plan says).</summary>
    public static class Checkpoint
    {
        public static void Save(string path, IReadOnlyList<(string Name, Tensor Value)> weights)
            => SafeTensors.Write(path, weights.Select(w => new NamedTensor(w.Name, w.Value.Shape.ToArray(), w.Value.ToArray())));

        /// <summary>Loads every weight, or none: the file is checked against the network (names, shapes) before any
        /// weight changes.</summary>
        public static void Load(string path, IReadOnlyList<(string Name, Tensor Value)> weights) => Load(SafeTensors.Read(path), weights, path);

        internal static void Load(IReadOnlyList<NamedTensor> tensors, IReadOnlyList<(string Name, Tensor Value)> weights, string path)
        {
            var file = tensors.ToDictionary(t => t.Name);
            foreach (var name in file.Keys.Where(n => weights.All(w => w.Name != n)))
                throw new InvalidDataException($"{path} has a tensor '{name}' that the network does not have (its weights: {string.Join(", ", weights.Select(w => w.Name))}).");
            foreach (var (name, value) in weights)
            {
                if (!file.TryGetValue(name, out var t)) throw new InvalidDataException($"{path} has no tensor named '{name}'.");
                if (!t.Shape.SequenceEqual(value.Shape))
                    throw new InvalidDataException($"{path}: tensor '{name}' is [{string.Join(",", t.Shape)}], but the network's {name} is {value.ShapeText}.");
            }
            foreach (var (name, value) in weights) value.Assign(file[name].Values);
        }
    }
}
