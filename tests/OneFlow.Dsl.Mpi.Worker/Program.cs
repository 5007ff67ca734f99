using System;
using System.Globalization;
using System.Linq;
using OneFlow.Dsl.Mpi;
using OneFlow.Dsl.Planner;
using OneFlow.Dsl.Planner.Model;
using OneFlow.Dsl.Runtime;

// The process the MPI tests start: the Mnist network (784-512-10, batch 64) trained for some steps on
// deterministic data, printing one "loss STEP VALUE" line per step (rank 0 only).
//   dotnet Worker.dll --layout dp|mp --steps N            in one process, on cpu:0-3
//   mpiexec.mpich -n R dotnet Worker.dll --mpi ...          spread over R processes ("R/cpu:0-3")
//   mpiexec.mpich -n 2 dotnet Worker.dll --bench-allreduce N  the runtime's gradient all-reduce against bare MPI
// Every process also writes "rank R pid P" to stderr first, so that a test can stop or kill one of them.
if (args.Contains("--bench-allreduce")) return AllreduceBench.Run(int.Parse(Arg("--bench-allreduce", "1048576"), CultureInfo.InvariantCulture));
string layout = Arg("--layout", "dp");
int steps = int.Parse(Arg("--steps", "20"), CultureInfo.InvariantCulture);
bool mpi = args.Contains("--mpi");
MpiWorld? world = mpi ? MpiWorld.Start() : null;
int rank = world?.Rank ?? 0;
Console.Error.WriteLine($"rank {rank} pid {Environment.ProcessId}");
try
{
    string placement = world is null ? "cpu:0-3" : $"{world.Size}/cpu:0-3";
    var spec = Mnist(placement, layout);
    using var session = new PlanSession(NetworkPlanner.Compile(spec, PlanMode.Train), world) { LearningRate = 0.1f };
    var plan = session.Plan;
    var random = new Random(11);
    foreach (var w in plan.Weights)
        session.Write(w.Id, Enumerable.Range(0, (int)w.Shape.Elements).Select(_ => (float)(random.NextDouble() - 0.5) * 0.1f).ToArray());
    int x = plan.Tensors.Single(t => t.Name == "x").Id, labels = plan.Tensors.Single(t => t.Name == "labels").Id;
    for (int step = 0; step < steps; step++)
    {
        session.Feed(x, Enumerable.Range(0, 64 * 784).Select(i => (float)Math.Sin(i * 0.001 + step)).ToArray());
        session.Feed(labels, Enumerable.Range(0, 64).Select(i => (i * 7 + step) % 10).ToArray());
        session.Run();
        float loss = session.ReadScalar(plan.Output);
        if (rank == 0) Console.WriteLine($"loss {step} {loss.ToString("R", CultureInfo.InvariantCulture)}");
    }
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
world?.Dispose();
return 0;

string Arg(string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

static NetworkSpec Mnist(string placement, string layout)
{
    bool dp = layout == "dp";
    TensorDecl W(string name, string? sbp, params int[] dims) => new TensorDecl(name, DeclKind.Weight, new EquatableArray<int>(dims), sbp);
    OpDecl Op(string output, string op, params string[] inputs) => new OpDecl(output, op, new EquatableArray<string>(inputs));
    return new NetworkSpec("Mnist", 64, placement,
        new EquatableArray<TensorDecl>(new[] { W("w1", dp ? "B" : "S(1)", 784, 512), W("b1", dp ? "B" : "S(0)", 512), W("w2", dp ? "B" : "S(0)", 512, 10), W("b2", "B", 10) }),
        new EquatableArray<TensorDecl>(new[] { new TensorDecl("x", DeclKind.Input, new EquatableArray<int>(new[] { 784 }), "S(0)") }),
        new EquatableArray<OpDecl>(new[] { Op("t0", "MatMul", "x", "w1"), Op("t1", "Add", "t0", "b1"), Op("h", "Relu", "t1"), Op("t2", "MatMul", "h", "w2"), Op("y", "Add", "t2", "b2") }),
        "y", NetworkSpec.DefaultLoss("y"), "loss");
}
