using OneFlow.Dsl;

namespace Gpt;

/// <summary>Training batches: <see cref="Shape.Batch"/> windows of <see cref="Shape.Context"/> characters at random
/// offsets, each with the window shifted by one as its labels.</summary>
public sealed class Batches
{
    private readonly Random _random;
    private readonly int[] _x = new int[Shape.Batch * Shape.Context];
    private readonly int[] _y = new int[Shape.Batch * Shape.Context];

    public Batches(CharText text, int seed) => _random = new Random(seed);

    public (Tensor X, Tensor Y) Next(int[] ids)
    {
        for (int b = 0; b < Shape.Batch; b++) Window(ids, _random.Next(ids.Length - Shape.Context), b, _x, _y);
        return (Tensor.From(_x, Shape.Batch, Shape.Context), Tensor.From(_y, Shape.Batch, Shape.Context));
    }

    /// <summary>Row <paramref name="row"/> of a batch: ids[start..start+T) and, as labels, the ids one further.</summary>
    public static void Window(int[] ids, int start, int row, int[] x, int[] y)
    {
        Array.Copy(ids, start, x, row * Shape.Context, Shape.Context);
        Array.Copy(ids, start + 1, y, row * Shape.Context, Shape.Context);
    }
}
