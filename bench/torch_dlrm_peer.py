"""The PyTorch peer of samples/Recommender --bench, to be measured in the same sitting: the same Wide & Deep model
(one deep table of ROWS x 16 read per feature, one wide table of ROWS x 1 summed over the 26 features, a 13 -> 32 dense
MLP, a (26 * 16 + 32) -> 64 -> 1 top MLP), batch 512, BCE-with-logits loss; the tables sparse (nn.Embedding /
nn.EmbeddingBag with sparse=True) under SparseAdam, the rest under Adam. Ids are Zipf-distributed within each
feature's vocabulary (log-spaced sizes from 10 rows, summing to ROWS), as the sample draws them. CPU, eager.

  /usr/bin/python3 bench/torch_dlrm_peer.py 100000
  /usr/bin/python3 bench/torch_dlrm_peer.py 40000000

Prints the load average, the step under each setting of torch threads 1 and 2 × OPENBLAS_NUM_THREADS 1 and 2
(bench/peer_settings.py), then the best.
"""
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

import peer_settings

BATCH, FEATURES, DENSE, WIDTH = 512, 26, 13, 16


def vocabularies(total):
    raw = [10 ** (1 + 6 * f / (FEATURES - 1)) for f in range(FEATURES)]
    scale = (total - 10 * FEATURES) / (sum(raw) - 10 * FEATURES)
    rows = [round(10 + (r - 10) * scale) for r in raw]
    rows[-1] = total - sum(rows[:-1])
    return rows


class WideDeep(nn.Module):
    def __init__(self, rows):
        super().__init__()
        self.deep = nn.Embedding(rows, WIDTH, sparse=True)
        self.wide = nn.EmbeddingBag(rows, 1, mode="sum", sparse=True)
        self.bottom = nn.Linear(DENSE, 32)
        self.top = nn.Linear(FEATURES * WIDTH + 32, 64)
        self.head = nn.Linear(64, 1)

    def forward(self, categories, dense):
        embedded = self.deep(categories).reshape(-1, FEATURES * WIDTH)
        d = F.relu(self.bottom(dense))
        h = F.relu(self.top(torch.cat((embedded, d), 1)))
        return self.head(h) + self.wide(categories)


def batch(sizes, offsets):
    u = torch.rand(BATCH, FEATURES)
    ranks = ((sizes + 1).double() ** u.double() - 1).long().clamp(max=sizes - 1)
    return ranks + offsets, torch.randn(BATCH, DENSE), torch.randint(0, 2, (BATCH, 1)).float()


def measure(rows):
    torch.manual_seed(0)
    sizes = torch.tensor(vocabularies(rows))
    offsets = torch.cumsum(torch.cat((torch.zeros(1, dtype=torch.long), sizes[:-1])), 0)
    model = WideDeep(rows)
    sparse = torch.optim.SparseAdam([model.deep.weight, model.wide.weight], lr=0.005)
    dense = torch.optim.Adam([p for n, p in model.named_parameters() if not n.startswith(("deep", "wide"))], lr=0.005)
    batches = [batch(sizes, offsets) for _ in range(40)]
    times = []
    for s, (categories, x, y) in enumerate(batches):
        start = time.perf_counter()
        loss = F.binary_cross_entropy_with_logits(model(categories, x), y)
        sparse.zero_grad()
        dense.zero_grad()
        loss.backward()
        sparse.step()
        dense.step()
        if s >= 10:
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    median = times[len(times) // 2]
    return [(f"pytorch wide & deep step (batch {BATCH}, {rows:,} rows, SparseAdam + Adam): "
             f"median {median:.2f} ms, min {times[0]:.2f} ms over {len(times)} steps", median / 1000)]


if __name__ == "__main__":
    rows = int(float(sys.argv[1]))
    peer_settings.run(lambda: measure(rows))
