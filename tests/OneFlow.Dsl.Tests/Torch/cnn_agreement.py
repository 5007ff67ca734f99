"""PyTorch's side of the CNN agreement tests (TorchAgreementTests.cs): VisionNet (VisionTests.cs) as a torch.nn.Module
whose state_dict maps one to one onto our weights and buffers. Stored as OneFlow.Dsl stores them: convolution weights
[O, C, kH, kW] as PyTorch's; the convolution bias cb1 [8, 1, 1] added to the output as written in Forward; batch norm's
g/be/m/v are PyTorch's weight, bias, running_mean and running_var; fc [16, 10] as [in, out] (Linear keeps [out, in]).

  python3 cnn_agreement.py check WEIGHTS BATCH OUT train|eval   logits, loss and every weight's gradient on BATCH
                                                               (x [8, 3, 8, 8], labels [8] as F32) in that mode, to OUT
  python3 cnn_agreement.py steps WEIGHTS BATCH OUT   3 SGD steps (lr 0.1) from WEIGHTS on BATCH rolled by the step,
                                                     in training mode; every weight and buffer after them, to OUT
"""
import sys

import torch
import torch.nn.functional as F
from torch import nn

from safetensors_io import read, write


class VisionNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, 1, 1, bias=False)
        self.cb1 = nn.Parameter(torch.zeros(8, 1, 1))
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3, 2, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(16)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x) + self.cb1))
        h = F.max_pool2d(h, 2, 2)
        h = F.relu(self.bn2(self.conv2(h)))
        h = F.avg_pool2d(h, 2, 2)
        return self.fc(torch.flatten(h, 1))


# Our name -> (PyTorch's state_dict name, whether it is stored transposed).
NAMES = {
    "c1": ("conv1.weight", False), "cb1": ("cb1", False),
    "g1": ("bn1.weight", False), "be1": ("bn1.bias", False), "m1": ("bn1.running_mean", False), "v1": ("bn1.running_var", False),
    "c2": ("conv2.weight", False),
    "g2": ("bn2.weight", False), "be2": ("bn2.bias", False), "m2": ("bn2.running_mean", False), "v2": ("bn2.running_var", False),
    "fc": ("fc.weight", True), "fb": ("fc.bias", False),
}


def load(path):
    ours = read(path)
    model = VisionNet().double()
    state = {theirs: (ours[name].T if transposed else ours[name]) for name, (theirs, transposed) in NAMES.items()}
    model.load_state_dict(state, strict=False)
    return model


def ours(model):
    state = model.state_dict()
    return {name: (state[theirs].T if transposed else state[theirs]) for name, (theirs, transposed) in NAMES.items()}


def check(weights_path, batch_path, out_path, mode):
    model = load(weights_path)
    model.train(mode == "train")
    batch = read(batch_path)
    logits = model(batch["x"])
    loss = F.cross_entropy(logits, batch["labels"].long())
    loss.backward()
    parameters = dict(model.named_parameters())
    out = {"logits": logits, "loss": loss.reshape(1)}
    for name, (theirs, transposed) in NAMES.items():
        if theirs in parameters:
            grad = parameters[theirs].grad
            out["grad." + name] = grad.T if transposed else grad
    write(out_path, out)


def steps(weights_path, batch_path, out_path):
    model = load(weights_path).train()
    sgd = torch.optim.SGD(model.parameters(), lr=0.1)
    batch = read(batch_path)
    for step in range(3):
        sgd.zero_grad()
        F.cross_entropy(model(batch["x"].roll(step, dims=0)), batch["labels"].roll(step, dims=0).long()).backward()
        sgd.step()
    write(out_path, ours(model))


if __name__ == "__main__":
    {"check": check, "steps": steps}[sys.argv[1]](*sys.argv[2:])
