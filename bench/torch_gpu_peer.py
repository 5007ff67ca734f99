"""The PyTorch peer of the GPU figures of `Mnist --bench --device cuda`, measured in the same run on the GPU machine:

    bash .gpu/run.sh --bench --device cuda; python3 bench/torch_gpu_peer.py

Prints the load average, then one line per figure: the SGD training step of MLP 784-512-512-10 (batch 64) in eager
mode and replayed as one captured CUDA graph, SGEMM 4096^3 with TF32 off, and a 64M-float add. Each figure is the
median of 7 rounds after a warm-up, with the GPU synchronised around every round.
"""
import sys
import time

import torch

import peer_settings

if not torch.cuda.is_available():
    sys.exit("torch_gpu_peer.py: no CUDA device; run it on the GPU machine")

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
torch.manual_seed(0)
dev = torch.device("cuda")


def median(fn, repeats):
    fn()
    torch.cuda.synchronize()
    rounds = []
    for _ in range(7):
        torch.cuda.synchronize()
        start = time.perf_counter()
        for _ in range(repeats):
            fn()
        torch.cuda.synchronize()
        rounds.append((time.perf_counter() - start) / repeats)
    rounds.sort()
    return rounds[3]


def mlp():
    return torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 512), torch.nn.ReLU(),
                               torch.nn.Linear(512, 10)).to(dev)


def measure():
    x = torch.rand(64, 784, device=dev)
    y = torch.randint(0, 10, (64,), device=dev)
    model = mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)

    def step():
        opt.zero_grad(set_to_none=False)
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    for _ in range(20):
        step()
    eager = median(step, 50)

    # The whole step captured once as a CUDA graph and replayed (warm-up on a side stream, as PyTorch documents).
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(3):
            step()
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        step()
    replay = median(graph.replay, 200)

    n = 4096
    a, b = torch.rand(n, n, device=dev), torch.rand(n, n, device=dev)
    sgemm = median(lambda: torch.mm(a, b), 10)

    m = 64 << 20
    u, v, w = torch.rand(m, device=dev), torch.rand(m, device=dev), torch.empty(m, device=dev)
    add = median(lambda: torch.add(u, v, out=w), 20)
    return [(f"torch mlp 784-512-512-10 batch 64 sgd step, eager: {eager * 1e6:.0f} us", eager),
            (f"torch mlp 784-512-512-10 batch 64 sgd step, cuda graph replay: {replay * 1e6:.0f} us", replay),
            (f"torch sgemm 4096^3 (tf32 off): {sgemm * 1e3:.2f} ms ({2 * n ** 3 / sgemm / 1e12:.1f} TFLOP/s)", sgemm),
            (f"torch add 64M floats: {add * 1e3:.3f} ms ({3 * 4 * m / add / 1e12:.2f} TB/s)", add)]


peer_settings.run(measure, grid=False)
