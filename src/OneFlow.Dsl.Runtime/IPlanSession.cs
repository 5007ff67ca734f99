using System;
using System.Collections.Concurrent;
using OneFlow.Dsl.Planner.Plan;

namespace OneFlow.Dsl.Runtime
{
    /// <summary>A plan made runnable on one kind of device: feed the inputs, run a piece, read the output.</summary>
    public interface IPlanSession : IDisposable
    {
        Plan Plan { get; }
        float LearningRate { get; set; }

        /// <summary>The other hyperparameters of the plan's update ops (momentum, Adam's betas, the step number).</summary>
        OptimizerSettings Optimizer { get; }

        /// <summary>Sets the host array an input op reads in the next <see cref="Run"/>: float[] or, for labels and ids, int[].</summary>
        void Feed(int tensor, Array data);

        /// <summary>Runs one piece (one step or one inference) through every actor and waits for it.</summary>
        void Run();

        /// <summary>Writes a whole logical tensor (a weight) into every device's part of it.</summary>
        void Write(int tensor, ReadOnlySpan<float> logical);

        /// <summary>Reads a whole logical tensor: split parts are joined, partial sums added, replicas read once.</summary>
        void Read(int tensor, Span<float> logical);

        /// <summary>The scalar output (the loss), its partial sums added.</summary>
        float ReadScalar(int tensor);
    }

    /// <summary>Opens the session for a plan's device type: CPU devices here; other backends (OneFlow.Dsl.Cuda)
    /// register themselves, so that the core takes no dependency on them.</summary>
    public static class PlanSessions
    {
        private static readonly ConcurrentDictionary<string, Func<Plan, IPlanSession>> Backends = new ConcurrentDictionary<string, Func<Plan, IPlanSession>>();

        public static void Register(string deviceType, Func<Plan, IPlanSession> open) => Backends[deviceType] = open;

        /// <summary>How this process reaches the others when a plan spreads over several (set by OneFlow.Dsl.Mpi).</summary>
        public static IRankTransport? Transport { get; set; }

        public static IPlanSession Open(Plan plan)
        {
            string type = plan.DeviceMap.DeviceType;
            if (type == "cpu" && plan.DeviceMap.Ranks > 1)
                return new PlanSession(plan, Transport ?? throw new InvalidOperationException(
                    $"The plan spreads over {plan.DeviceMap.Ranks} processes: start it with mpiexec and join them first (OneFlow.Dsl.Mpi: PlanSessions.Transport = MpiWorld.Start())."));
            if (type == "cpu") return new PlanSession(plan);
            return Backends.TryGetValue(type, out var open)
                ? open(plan)
                : throw new InvalidOperationException($"The plan runs on {type} devices, but no {type} backend is loaded: reference OneFlow.Dsl.Cuda and call CudaBackend.Use() once before training.");
        }
    }
}
