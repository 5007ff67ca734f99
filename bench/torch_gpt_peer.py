"""The PyTorch peer of the GPT sample's training step (samples/Gpt --bench), to be measured in the same sitting.

CPU (this machine):  /usr/bin/python3 bench/torch_gpt_peer.py
                     (under torch threads 1 and 2 × OPENBLAS_NUM_THREADS 1 and 2, bench/peer_settings.py)
GPU machine:         python3 bench/torch_gpt_peer.py cuda   (one run)

The same model as samples/Gpt/Gpt.cs: a character-level GPT of 4 pre-norm blocks (causal self-attention with 4
heads, a GELU MLP 4x wide, no biases in the linear layers, layer norms with gain and shift), width 128, context 64,
vocabulary 96, batch 12; softmax cross-entropy over every token; AdamW (lr 1e-3, betas 0.9/0.99, weight decay 0.1)
with global gradient-norm clipping at 1. Eager PyTorch, fp32. Prints the load average and the median step time (on
the CPU per setting, then the best).
"""
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

import peer_settings

BATCH, CONTEXT, WIDTH, HEADS, LAYERS, VOCAB = 12, 64, 128, 4, 4, 96


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(WIDTH), nn.LayerNorm(WIDTH)
        self.qkv = nn.Linear(WIDTH, 3 * WIDTH, bias=False)
        self.proj = nn.Linear(WIDTH, WIDTH, bias=False)
        self.up = nn.Linear(WIDTH, 4 * WIDTH, bias=False)
        self.down = nn.Linear(4 * WIDTH, WIDTH, bias=False)
        self.register_buffer("mask", torch.tril(torch.ones(CONTEXT, CONTEXT)).bool())

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(self.norm1(x)).split(WIDTH, dim=2)
        q, k, v = (z.view(b, t, HEADS, c // HEADS).transpose(1, 2) for z in (q, k, v))
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(c // HEADS)
        attention = scores.masked_fill(~self.mask[:t, :t], float("-inf")).softmax(dim=-1)
        x = x + self.proj((attention @ v).transpose(1, 2).reshape(b, t, c))
        return x + self.down(F.gelu(self.up(self.norm2(x)), approximate="tanh"))


class Gpt(nn.Module):
    def __init__(self):
        super().__init__()
        self.tokens = nn.Embedding(VOCAB, WIDTH)
        self.positions = nn.Parameter(torch.zeros(CONTEXT, WIDTH))
        self.blocks = nn.ModuleList(Block() for _ in range(LAYERS))
        self.norm = nn.LayerNorm(WIDTH)
        self.head = nn.Linear(WIDTH, VOCAB, bias=False)

    def forward(self, ids):
        x = self.tokens(ids) + self.positions
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x))


def measure(device):
    torch.manual_seed(0)
    model = Gpt().to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.99), weight_decay=0.1)
    x = torch.randint(0, VOCAB, (BATCH, CONTEXT), device=device)
    y = torch.randint(0, VOCAB, (BATCH, CONTEXT), device=device)

    def step():
        loss = F.cross_entropy(model(x).view(-1, VOCAB), y.view(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if device != "cpu":
            torch.cuda.synchronize()

    for _ in range(5):
        step()
    times = []
    for _ in range(30):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    median = times[len(times) // 2]
    return [(f"pytorch gpt step ({device}, 4 layers, width 128, context 64, batch 12, AdamW): "
             f"median {median:.1f} ms, min {times[0]:.1f} ms over {len(times)} steps", median / 1000)]


if __name__ == "__main__":
    device = sys.argv[1] if len(sys.argv) > 1 else "cpu"
    peer_settings.run(lambda: measure(device), grid=device == "cpu")
