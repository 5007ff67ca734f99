// Draws the pictures of docs/concepts.md into the folder given (docs/images): plan graphs rendered by Graphviz, a
// traced pipelined step as a timeline, and a device's memory plan. Everything is computed, nothing drawn by hand.
using OneFlow.Dsl;
using OneFlow.Dsl.Planner;
using OneFlow.Dsl.Planner.Model;
using Pictures;

string folder = args.Length > 0 ? args[0] : "docs/images";
Directory.CreateDirectory(folder);
string Path(string name) => System.IO.Path.Combine(folder, name);

Console.WriteLine(PlanGraphFile.Write(Mlp.InferPlan, Path("sbp.svg")));
Console.WriteLine(PlanGraphFile.Write(NetworkPlanner.Compile(Staged.Spec, PlanMode.Infer), Path("placement.svg")));
Console.WriteLine(PlanGraphFile.Write(NetworkPlanner.Reshard(new Shape(8, 6),
    (NdSbp.Parse("S(0)"), Placement.Parse("cpu:0-1")), (NdSbp.Parse("P"), Placement.Parse("cpu:0-1")),
    (NdSbp.Parse("S(1)"), Placement.Parse("cpu:2-4"))), Path("boxing.svg")));
Console.WriteLine(Timeline.Draw(Path("actors.png")));
Console.WriteLine(MemoryMap.Draw(Mlp.TrainPlan, 0, Path("memory.png")));
