"""PyTorch's side of the math-ops agreement test (MathOpsTests.cs): MathNet's forward pass written with torch's own
functions, from a safetensors file of its weights (w1, w2 [6, 16], scale [16], head [16, 20]) and a batch x [8, 6].

  python3 math_agreement.py WEIGHTS BATCH OUT   the logits [8, 5] written to OUT
"""
import sys

import torch
import torch.nn.functional as F

from safetensors_io import read, write


def forward(w, x):
    gate = torch.tanh((x @ w["w1"]) / 4) * torch.sigmoid(x @ w["w2"])
    positive = F.softplus(gate) + 0.5
    h = torch.log(torch.exp(gate) + 1) - torch.sqrt(torch.square(gate) + 1) / positive + torch.abs(gate) * w["scale"] \
        + 2 / (torch.square(gate) + 1)
    z = ((1 - h) @ w["head"]).reshape(-1, 5, 4)
    return torch.mean(z, dim=2) * 2 - torch.sum(torch.sum((-z).reshape(-1, 5, 2, 2), dim=3), dim=-1) / 8


if __name__ == "__main__":
    weights, batch, out = sys.argv[1:]
    with torch.no_grad():
        write(out, {"logits": forward(read(weights), read(batch)["x"])})
