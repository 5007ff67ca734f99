"""The PyTorch peer of tests/OneFlow.Dsl.Benchmarks, to be measured in the same sitting.

CPU (this machine):  /usr/bin/python3 bench/torch_peer.py
(torch from apt: apt-get install -y python3-torch libopenblas0-pthread.)

Prints the load average, then one line per figure under each setting of torch threads 1 and 2 × OPENBLAS_NUM_THREADS
1 and 2 (bench/peer_settings.py), then the best of each figure:
  SGEMM 1024^3 GFLOP/s (Sgemm1024),
  the SGD training step time of MLP 784-512-10 (Linear+ReLU, Linear; softmax cross-entropy; lr 0.1; batch 64),
  and that of MLP 784-512-512-10 (the network of the MlpTrainStep benchmark).

torch.mm goes to OpenBLAS, whose thread count is OPENBLAS_NUM_THREADS: torch.set_num_threads does not reach it. The
SGEMM lines under OPENBLAS_NUM_THREADS=1 are therefore one-core figures (Sgemm1024 "one core"), those under 2 two-core
ones ("all cores").
"""
import time

import torch

import peer_settings

torch.manual_seed(0)
nn = torch.nn


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
    return f"torch sgemm 1024^3: {2 * 1024 ** 3 / t / 1e9:.1f} GFLOP/s ({t * 1e3:.2f} ms)", t


def train_step(name, model, lr):
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    x, y = torch.rand(64, 784), torch.randint(0, 10, (64,))

    def step():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    t = median_time(step, 200)
    return f"torch mlp {name} b64 sgd step: {t * 1e3:.3f} ms", t


def measure():
    return [sgemm(),
            train_step("784-512-10", nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10)), lr=0.1),
            train_step("784-512-512-10", nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                                                       nn.Linear(512, 10)), lr=0.01)]


peer_settings.run(measure)
