using System;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using OneFlow.Dsl.Planner.Ops;

namespace OneFlow.Dsl.Cuda.Kernels
{
    /// <summary>The optimizers' in-place updates (<c>UpdateOp.cs</c>) with the CPU kernels' formulas
    /// (<see cref="Runtime.Kernels.Update"/>): a weight from its gradient, clipped by the global norm where the plan says
    /// so; a table from the rows its lookups touched. The sparse updates add duplicates with atomics, so their sums' order
    /// (not their value) varies.</summary>
    internal static class UpdateKernels
    {
        [ModuleInitializer]
        internal static void Register()
        {
            Dense(OpKind.SgdUpdate, DenseRule.Sgd);
            Dense(OpKind.MomentumUpdate, DenseRule.Momentum);
            Dense(OpKind.AdagradUpdate, DenseRule.Adagrad);
            Dense(OpKind.AdamUpdate, DenseRule.Adam);
            GpuKernels.Add(OpKind.SparseSgdUpdate, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int, int, int, ArrayView<float>, float, int>(Sgd);
                return k =>
                {
                    int width = k.InShape(0)[1], lookups = (int)k.InShape(1).Elements;
                    run(k.Stream, lookups * width, k.In(0), k.Ints(1), k.In(2), k.Geometry.InputStarts[0][0], k.InShape(0)[0], width,
                        PerRow(k), k.StepValues, (float)SparseUpdateOp.Scale(k.Op), Block(k));
                };
            });
            Combining(OpKind.SparseAdamUpdate, a => a.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, ArrayView<float>, AdamStep>(Update),
                (update, k, slots, sums, width) =>
                {
                    var o = k.Optimizer;
                    update(k.Stream, slots.IntLength * width, slots, sums, k.In(0), k.In(3), k.In(4), k.Geometry.InputStarts[0][0], width,
                        k.StepValues, new AdamStep(o.Beta1, o.Beta2, o.Epsilon));
                });
            Combining(OpKind.SparseAdagradUpdate, a => a.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, ArrayView<float>, float>(AdagradRows),
                (update, k, slots, sums, width) => update(k.Stream, slots.IntLength * width, slots, sums, k.In(0), k.In(3), k.Geometry.InputStarts[0][0], width,
                    k.StepValues, k.Optimizer.Epsilon));
        }

        /// <summary>The dense rules, as <see cref="DenseUpdate"/> tells them apart.</summary>
        internal enum DenseRule { Sgd, Momentum, Adagrad, Adam }

        /// <summary>The run's constants of a dense rule (the rate and Adam's bias corrections are the step's values).</summary>
        public readonly struct DenseConstants
        {
            public DenseConstants(DenseRule rule, float momentum, float beta1, float beta2, float epsilon, float decay)
            {
                Rule = (int)rule; Momentum = momentum; Beta1 = beta1; Beta2 = beta2; Epsilon = epsilon; Decay = decay;
            }
            public int Rule { get; }
            public float Momentum { get; }
            public float Beta1 { get; }
            public float Beta2 { get; }
            public float Epsilon { get; }
            public float Decay { get; }
        }

        /// <summary>Ints per weight in a dense update's table: where its elements start among the launch's threads, how
        /// many, and where the weight, its gradient and its two states begin in memory.</summary>
        private const int PerWeight = 6;

        /// <summary>A dense rule over every weight the op updates in one launch: one thread per element of all of them,
        /// each finding its weight in the table (made when the session opens) by a binary search.</summary>
        private static void Dense(OpKind kind, DenseRule rule)
            => GpuKernels.Add(kind, a =>
            {
                var run = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<int>, int, ArrayView<float>, DenseConstants, ArrayView<float>, float>(DenseUpdate);
                return k =>
                {
                    var o = k.Optimizer;
                    int weights = UpdateOp.Weights(k.Op), per = UpdateOp.PerWeight(k.Op, k.Op.Inputs.Length);
                    long threads = 0;
                    for (int w = 0; w < weights; w++) threads += k.InShape(w * per).Elements;
                    run(k.Stream, (int)threads, k.Memory, k.Table, weights, k.StepValues,
                        new DenseConstants(rule, o.Momentum, o.Beta1, o.Beta2, o.Epsilon, o.WeightDecay), Norm(k), MaxNorm(k));
                };
            }, table: DenseTable);

        private static int[] DenseTable(GpuKernelContext k)
        {
            int weights = UpdateOp.Weights(k.Op), per = UpdateOp.PerWeight(k.Op, k.Op.Inputs.Length);
            var table = new int[PerWeight * weights];
            long start = 0;
            for (int w = 0; w < weights; w++)
            {
                long length = k.InShape(w * per).Elements;
                table[PerWeight * w] = checked((int)start);
                table[PerWeight * w + 1] = (int)length;
                for (int j = 0; j < per && j < 4; j++) table[PerWeight * w + 2 + j] = (int)k.InputOffsets[w * per + j];
                start += length;
            }
            return table;
        }

        /// <summary>Element i of all the weights: SGD (w −= lr·g), momentum (v = μ·v + g; w −= lr·v), Adagrad
        /// (s += g²; w −= lr·g / (√s + ε)) or AdamW (Adam when the decay is 0, bias-corrected by the step's values), the
        /// gradient scaled to the global norm where clipped.</summary>
        public static void DenseUpdate(Index1D i, ArrayView<float> memory, ArrayView<int> table, int weights, ArrayView<float> values, DenseConstants c,
            ArrayView<float> norm, float maxNorm)
        {
            int low = 0, high = weights - 1;
            while (low < high)
            {
                int mid = (low + high + 1) / 2;
                if (table[mid * PerWeight] <= i) low = mid;
                else high = mid - 1;
            }
            int at = low * PerWeight, j = i - table[at];
            int w = table[at + 2] + j, g = table[at + 3] + j, s1 = table[at + 4] + j, s2 = table[at + 5] + j;
            float lr = values[StepValues.Rate], scale = Scale(norm, maxNorm);
            if (c.Rule == (int)DenseRule.Sgd) memory[w] -= lr * scale * memory[g];
            else if (c.Rule == (int)DenseRule.Momentum)
            {
                float velocity = c.Momentum * memory[s1] + memory[g] * scale;
                memory[s1] = velocity;
                memory[w] -= lr * velocity;
            }
            else if (c.Rule == (int)DenseRule.Adagrad)
            {
                float gi = memory[g] * scale, si = memory[s1] + gi * gi;
                memory[s1] = si;
                memory[w] -= lr * gi / (XMath.Sqrt(si) + c.Epsilon);
            }
            else
            {
                float c1 = values[StepValues.Correction1], c2 = values[StepValues.Correction2];
                float gi = memory[g] * scale;
                float mi = c.Beta1 * memory[s1] + (1 - c.Beta1) * gi;
                float vi = c.Beta2 * memory[s2] + (1 - c.Beta2) * gi * gi;
                memory[s1] = mi;
                memory[s2] = vi;
                memory[w] -= lr * (mi / c1 / (XMath.Sqrt(vi / c2) + c.Epsilon) + c.Decay * memory[w]);
            }
        }

        /// <summary>For an update clipped by the global norm, the squared norm (its last operand); any view otherwise.</summary>
        private static ArrayView<float> Norm(GpuKernelContext k) => UpdateOp.IsClipped(k.Op) ? k.In(k.Op.Inputs.Length - 1) : k.In(1);
        private static float MaxNorm(GpuKernelContext k) => UpdateOp.IsClipped(k.Op) ? k.Optimizer.MaxGradNorm : float.PositiveInfinity;

        /// <summary>A sparse update that combines the rows of one id first, in a hash of 2M slots in the workspace: clear,
        /// claim a slot per lookup, add its row, then <paramref name="update"/> each slot with the rule's kernel.</summary>
        private static void Combining<TUpdate>(OpKind kind, Func<Accelerator, TUpdate> load, Action<TUpdate, GpuKernelContext, ArrayView<int>, ArrayView<float>, int> update)
            => GpuKernels.Add(kind, a =>
            {
                var clear = a.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<float>, int>(Clear);
                var claim = a.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<int>, int, int, int>(Claim);
                var add = a.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int, float>(Add);
                var rows = load(a);
                return k =>
                {
                    int width = k.InShape(0)[1], lookups = (int)k.InShape(1).Elements, capacity = 2 * lookups;
                    var slots = k.Workspace.SubView(0, capacity).Cast<int>();
                    var slotOf = k.Workspace.SubView(capacity, lookups).Cast<int>();
                    var sums = k.Workspace.SubView(capacity + lookups, (long)capacity * width);
                    clear(k.Stream, capacity, slots, sums, width);
                    claim(k.Stream, lookups, k.Ints(1), slots, slotOf, k.Geometry.InputStarts[0][0], k.InShape(0)[0], Block(k));
                    add(k.Stream, lookups * width, slotOf, k.In(2), sums, width, PerRow(k), (float)SparseUpdateOp.Scale(k.Op));
                    update(rows, k, slots, sums, width);
                };
            }, launches: _ => 4);

        /// <summary>For the embedding exchange's blocks, their length in ids (1 + c); 0 for ids that are all lookups.</summary>
        private static int Block(GpuKernelContext k) => SparseUpdateOp.Exchanged(k.Op) ? k.InShape(1)[k.InShape(1).Rank - 1] : 0;

        /// <summary>Whether entry j is a lookup (see the CPU's <c>SparseUpdates.Counted</c>).</summary>
        private static bool Counted(ArrayView<int> ids, int j, int block)
        {
            if (block == 0) return true;
            int u = j % block;
            return u != 0 && u <= ids[j - u];
        }

        private static int PerRow(GpuKernelContext k) => (int)(k.InShape(1).Elements / (k.InShape(2).Elements / k.InShape(0)[1]));

        /// <summary>Adam's constants: β₁, β₂, ε (the rate and bias corrections are the step's values).</summary>
        public readonly struct AdamStep
        {
            public AdamStep(float beta1, float beta2, float epsilon) { Beta1 = beta1; Beta2 = beta2; Epsilon = epsilon; }
            public float Beta1 { get; }
            public float Beta2 { get; }
            public float Epsilon { get; }
        }

        /// <summary>Clipping by the global norm: min(1, maxNorm / √(squared norm)); an unclipped update passes +∞.</summary>
        private static float Scale(ArrayView<float> norm, float maxNorm)
        {
            if (maxNorm == float.PositiveInfinity) return 1f;
            float n = XMath.Sqrt(norm[0]);
            return n > maxNorm ? maxNorm / n : 1f;
        }

        public static void Sgd(Index1D i, ArrayView<float> table, ArrayView<int> ids, ArrayView<float> rows, int first, int count, int width, int bag,
            ArrayView<float> values, float scale, int block)
        {
            int j = i / width, c = i % width, local = ids[j] - first;
            if (local >= 0 && local < count && Counted(ids, j, block)) Atomic.Add(ref table[local * width + c], -(values[StepValues.Rate] * scale) * rows[j / bag * width + c]);
        }

        public static void Clear(Index1D s, ArrayView<int> slots, ArrayView<float> sums, int width)
        {
            slots[s] = -1;
            for (int c = 0; c < width; c++) sums[s * width + c] = 0f;
        }

        /// <summary>Lookup j finds its id's slot (claiming an empty one with a compare-exchange), or −1 for an id held elsewhere.</summary>
        public static void Claim(Index1D j, ArrayView<int> ids, ArrayView<int> slots, ArrayView<int> slotOf, int first, int count, int block)
        {
            int id = ids[j];
            if (id - first < 0 || id - first >= count || !Counted(ids, j, block)) { slotOf[j] = -1; return; }
            int capacity = (int)slots.Length, slot = (int)((uint)id * 2654435761u % (uint)capacity);
            while (true)
            {
                int seen = Atomic.CompareExchange(ref slots[slot], -1, id);
                if (seen == -1 || seen == id) break;
                slot = (slot + 1) % capacity;
            }
            slotOf[j] = slot;
        }

        public static void Add(Index1D i, ArrayView<int> slotOf, ArrayView<float> rows, ArrayView<float> sums, int width, int bag, float scale)
        {
            int j = i / width, c = i % width, slot = slotOf[j];
            if (slot >= 0) Atomic.Add(ref sums[slot * width + c], scale * rows[j / bag * width + c]);
        }

        public static void AdagradRows(Index1D i, ArrayView<int> slots, ArrayView<float> sums, ArrayView<float> table, ArrayView<float> s,
            int first, int width, ArrayView<float> values, float epsilon)
        {
            int slot = i / width, c = i % width, id = slots[slot];
            if (id < 0) return;
            int at = (id - first) * width + c;
            float g = sums[i], si = s[at] + g * g;
            s[at] = si;
            table[at] -= values[StepValues.Rate] * g / (XMath.Sqrt(si) + epsilon);
        }

        public static void Update(Index1D i, ArrayView<int> slots, ArrayView<float> sums, ArrayView<float> table, ArrayView<float> m, ArrayView<float> v,
            int first, int width, ArrayView<float> values, AdamStep step)
        {
            int slot = i / width, c = i % width, id = slots[slot];
            if (id < 0) return;
            int at = (id - first) * width + c;
            float g = sums[i], size = values[StepValues.Rate] * XMath.Sqrt(values[StepValues.Correction2]) / values[StepValues.Correction1];
            m[at] = step.Beta1 * m[at] + (1 - step.Beta1) * g;
            v[at] = step.Beta2 * v[at] + (1 - step.Beta2) * g * g;
            table[at] -= size * m[at] / (XMath.Sqrt(v[at]) + step.Epsilon);
        }
    }
}
