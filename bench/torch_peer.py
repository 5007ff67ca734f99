"""The PyTorch peer of tests/OneFlow.Dsl.Benchmarks, measured in the same sitting.

CPU (this machine):  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_peer.py
Prints one line per figure: SGEMM 1024^3 GFLOP/s and the MLP 784-512-512-10 batch-64 SGD training step time.
"""
import time
import torch

torch.manual_seed(0)
torch.set_num_threads(2)


def best_of(fn, repeats, rounds=7):
    fn()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(repeats):
            fn()
        times.append((time.perf_counter() - start) / repeats)
    times.sort()
    return times[len(times) // 2]


a, b = torch.rand(1024, 1024), torch.rand(1024, 1024)
t = best_of(lambda: torch.mm(a, b), 20)
print(f"torch sgemm 1024^3: {2 * 1024 ** 3 / t / 1e9:.1f} GFLOP/s ({t * 1e3:.2f} ms)")

model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 512), torch.nn.ReLU(),
                            torch.nn.Linear(512, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.01)
x, y = torch.rand(64, 784), torch.randint(0, 10, (64,))


def step():
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    opt.step()


t = best_of(step, 200)
print(f"torch mlp 784-512-512-10 b64 sgd step: {t * 1e3:.3f} ms")
