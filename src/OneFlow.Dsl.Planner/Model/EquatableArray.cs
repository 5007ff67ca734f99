using System;
using System.Collections;
using System.Collections.Generic;

namespace OneFlow.Dsl.Planner.Model
{
    /// <summary>An immutable array with value equality, so that records holding it compare by content
    /// (the generator's pipeline caches on that equality).</summary>
    public readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IReadOnlyList<T>
        where T : IEquatable<T>
    {
        private readonly T[]? _items;

        public EquatableArray(T[] items) => _items = items;

        public static readonly EquatableArray<T> Empty = new EquatableArray<T>(Array.Empty<T>());

        public int Count => _items?.Length ?? 0;
        public T this[int index] => _items![index];
        public T[] ToArray() => _items == null ? Array.Empty<T>() : (T[])_items.Clone();

        public bool Equals(EquatableArray<T> other)
        {
            if (Count != other.Count) return false;
            for (int i = 0; i < Count; i++)
                if (!EqualityComparer<T>.Default.Equals(_items![i], other._items![i])) return false;
            return true;
        }

        public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

        public override int GetHashCode()
        {
            int hash = 17;
            for (int i = 0; i < Count; i++) hash = hash * 31 + (_items![i]?.GetHashCode() ?? 0);
            return hash;
        }

        public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)(_items ?? Array.Empty<T>())).GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public static bool operator ==(EquatableArray<T> left, EquatableArray<T> right) => left.Equals(right);
        public static bool operator !=(EquatableArray<T> left, EquatableArray<T> right) => !left.Equals(right);
    }

    public static class EquatableArray
    {
        public static EquatableArray<T> From<T>(IEnumerable<T> items) where T : IEquatable<T>
            => new EquatableArray<T>(new List<T>(items).ToArray());

        public static EquatableArray<T> Of<T>(params T[] items) where T : IEquatable<T>
            => new EquatableArray<T>(items);
    }
}
