"""The PyTorch eager twin of tests/OneFlow.Dsl.Benchmarks/ActorOverhead.cs: eight Relu(x @ a + b) layers of width 8,
batch 4, softmax cross-entropy, SGD; the median step over many, to be measured in the same sitting.

  /usr/bin/python3 bench/torch_tiny_peer.py

Prints the load average, the step under each setting of torch threads 1 and 2 × OPENBLAS_NUM_THREADS 1 and 2
(bench/peer_settings.py), then the best.
"""
import statistics
import time

import torch
import torch.nn.functional as F

import peer_settings

torch.manual_seed(1)
layers = [(torch.randn(8, 8, requires_grad=True), torch.zeros(8, requires_grad=True)) for _ in range(8)]
params = [p for layer in layers for p in layer]
optimizer = torch.optim.SGD(params, lr=0.01)
x, y = torch.rand(4, 8), torch.randint(0, 8, (4,))


def step():
    h = x
    for a, b in layers:
        h = torch.relu(h @ a + b)
    loss = F.cross_entropy(h, y)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss.item()


def measure():
    for _ in range(200):
        step()
    times = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(2000):
            step()
        times.append((time.perf_counter() - start) / 2000 * 1e6)
    median = statistics.median(times)
    return [(f"pytorch tiny step (8 layers of width 8, batch 4, SGD): median {median:.1f} us, min {min(times):.1f} us "
             f"over 5 rounds of 2000", median / 1e6)]


peer_settings.run(measure)
