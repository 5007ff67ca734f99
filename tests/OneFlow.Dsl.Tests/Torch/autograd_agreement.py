"""PyTorch's side of the eager-autograd agreement test (EagerAutogradTests.cs): the gradients of user tensors a [3, 4]
and b [4, 5] after two backward passes of the same expression (so accumulated twice), written to OUT.

  python3 autograd_agreement.py INPUTS OUT
"""
import sys

import torch

from safetensors_io import read, write


def loss(a, b):
    y = torch.tanh(a @ b) * 2 - torch.sigmoid(b).sum(dim=0) / 3
    return torch.mean(torch.mean(y * y, dim=1)) + torch.square(a).sum(dim=-1).mean()


if __name__ == "__main__":
    inputs, out = sys.argv[1:]
    t = read(inputs)
    a, b = t["a"].clone().requires_grad_(True), t["b"].clone().requires_grad_(True)
    loss(a, b).backward()
    loss(a, b).backward()
    write(out, {"grad.a": a.grad, "grad.b": b.grad})
