"""The PyTorch peer of the MlpInferOne benchmark (tests/OneFlow.Dsl.Benchmarks), to be measured in the same sitting:
the latency of one row through the MNIST MLP (784-512-10, Linear+ReLU, Linear) in eager evaluation, no gradients.

  /usr/bin/python3 bench/torch_infer_peer.py

Prints the load average, the latency under each setting of torch threads 1 and 2 × OPENBLAS_NUM_THREADS 1 and 2
(bench/peer_settings.py), then the best.
"""
import time

import torch

import peer_settings

torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10)).eval()
x = torch.rand(1, 784)


def median_time(fn, repeats, rounds=7):
    fn()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(repeats):
            fn()
        times.append((time.perf_counter() - start) / repeats)
    times.sort()
    return times[len(times) // 2]


def measure():
    with torch.no_grad():
        t = median_time(lambda: model(x), 2000)
    return [(f"torch mlp 784-512-10 infer 1 row: {t * 1e6:.1f} us", t)]


peer_settings.run(measure)
