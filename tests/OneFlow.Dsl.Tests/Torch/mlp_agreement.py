"""PyTorch's side of the agreement tests (TorchAgreementTests.cs): the README's MLP built in PyTorch from a
safetensors file, with no package beyond torch. Weights are stored as OneFlow.Dsl stores them: w1 [784, 512] and
w2 [512, 10] as [in, out] matrices (PyTorch's Linear keeps [out, in]), biases b1 [512] and b2 [10], all F32.

  python3 mlp_agreement.py check WEIGHTS BATCH OUT   the logits, loss and every weight's gradient on BATCH (x [64, 784],
                                                     labels [64] as F32), written to OUT
  python3 mlp_agreement.py train OUT_WEIGHTS BATCH OUT   weights initialised and trained 3 SGD steps (lr 0.1) in
                                                         PyTorch, written as OneFlow.Dsl names them; the trained
                                                         model's logits on BATCH written to OUT
"""
import sys

import torch
import torch.nn.functional as F

from safetensors_io import read, write


def forward(w, x):
    return F.relu(x @ w["w1"] + w["b1"]) @ w["w2"] + w["b2"]


def check(weights_path, batch_path, out_path):
    w = {k: v.clone().requires_grad_(True) for k, v in read(weights_path).items()}
    batch = read(batch_path)
    logits = forward(w, batch["x"])
    loss = F.cross_entropy(logits, batch["labels"].long())
    loss.backward()
    out = {"logits": logits, "loss": loss.reshape(1)}
    out.update({"grad." + k: v.grad for k, v in w.items()})
    write(out_path, out)


def train(weights_path, batch_path, out_path):
    torch.manual_seed(1234)
    l1, l2 = torch.nn.Linear(784, 512).double(), torch.nn.Linear(512, 10).double()
    model = torch.nn.Sequential(l1, torch.nn.ReLU(), l2)
    sgd = torch.optim.SGD(model.parameters(), lr=0.1)
    batch = read(batch_path)
    for step in range(3):
        x = batch["x"].roll(step, dims=0)
        labels = batch["labels"].roll(step, dims=0).long()
        sgd.zero_grad()
        F.cross_entropy(model(x), labels).backward()
        sgd.step()
    with torch.no_grad():
        # The logits of the weights as written, rounded to float32, which is what we load.
        for p in model.parameters():
            p.copy_(p.float())
        write(weights_path, {"w1": l1.weight.T, "b1": l1.bias, "w2": l2.weight.T, "b2": l2.bias})
        write(out_path, {"logits": model(batch["x"])})


if __name__ == "__main__":
    {"check": check, "train": train}[sys.argv[1]](*sys.argv[2:])
