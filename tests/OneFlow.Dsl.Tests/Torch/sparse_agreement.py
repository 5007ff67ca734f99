"""PyTorch's side of the sparse-update agreement test (SparseEmbeddingTests.cs): nn.EmbeddingBag(sparse=True) with
SparseAdam for the table and Adam for the head, from the same weights and batches as ours.

  python3 sparse_agreement.py INPUTS OUT   INPUTS holds "table" [V, D], "head" [D, C], and for steps s = 1..S "ids.s"
                                           [N, K] and "labels.s" [N] (integers stored as floats); OUT gets "loss.s"
                                           and the weights after the last step
"""
import sys

import torch
import torch.nn.functional as F

from safetensors_io import read, write


def main(inputs, out):
    data = read(inputs)
    steps = sum(1 for name in data if name.startswith("ids."))
    bag = torch.nn.EmbeddingBag(data["table"].shape[0], data["table"].shape[1], mode="mean", sparse=True, dtype=torch.float64)
    with torch.no_grad():
        bag.weight.copy_(data["table"])
    head = torch.nn.Parameter(data["head"].clone())
    sparse, dense = torch.optim.SparseAdam([bag.weight], lr=0.05), torch.optim.Adam([head], lr=0.05)
    result = {}
    for s in range(1, steps + 1):
        ids, labels = data[f"ids.{s}"].long(), data[f"labels.{s}"].long()
        loss = F.cross_entropy(torch.relu(bag(ids)) @ head, labels)
        sparse.zero_grad()
        dense.zero_grad()
        loss.backward()
        sparse.step()
        dense.step()
        result[f"loss.{s}"] = loss.detach().reshape(1)
    result["table"], result["head"] = bag.weight.detach(), head.detach()
    write(out, result)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
