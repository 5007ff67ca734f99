"""The PyTorch peer of tests/OneFlow.Dsl.Benchmarks, to be measured in the same sitting.

CPU (this machine):  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_peer.py
(torch from apt: apt-get install -y python3-torch libopenblas0-pthread.)

Prints one line per figure:
  SGEMM 1024^3 GFLOP/s (Sgemm1024),
  the SGD training step time of MLP 784-512-10 (Linear+ReLU, Linear; softmax cross-entropy; lr 0.1; batch 64),
  and that of MLP 784-512-512-10 (the network of the MlpTrainStep benchmark).

torch.mm goes to OpenBLAS, whose thread count is OPENBLAS_NUM_THREADS: torch.set_num_threads(2) does not reach it.
With OPENBLAS_NUM_THREADS=1 the SGEMM line is therefore a one-core figure (Sgemm1024 "one core"); run again with
OPENBLAS_NUM_THREADS=2 for the two-core one ("all cores"), but read the MLP lines from the first run: with both
OpenBLAS's and torch's threads the step oversubscribes the cores and is two to three times slower.
"""
import os
import time

import torch

torch.manual_seed(0)
torch.set_num_threads(2)


def median_time(fn, repeats, rounds=7):
    """Seconds per call: the median over rounds of the mean over repeats, after one warming call."""
    fn()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(repeats):
            fn()
        times.append((time.perf_counter() - start) / repeats)
    times.sort()
    return times[len(times) // 2]


def sgemm():
    a, b = torch.rand(1024, 1024), torch.rand(1024, 1024)
    t = median_time(lambda: torch.mm(a, b), 20)
    blas_threads = os.environ.get("OPENBLAS_NUM_THREADS", "unset")
    print(f"torch sgemm 1024^3 (OPENBLAS_NUM_THREADS={blas_threads}): {2 * 1024 ** 3 / t / 1e9:.1f} GFLOP/s "
          f"({t * 1e3:.2f} ms)")


def train_step_ms(name, model, lr):
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    x, y = torch.rand(64, 784), torch.randint(0, 10, (64,))

    def step():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    t = median_time(step, 200)
    print(f"torch mlp {name} b64 sgd step: {t * 1e3:.3f} ms")


sgemm()
nn = torch.nn
train_step_ms("784-512-10", nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10)), lr=0.1)
train_step_ms("784-512-512-10", nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                                              nn.Linear(512, 10)), lr=0.01)
