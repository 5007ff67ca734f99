"""The PyTorch peer of the ConvTrainStep benchmark (tests/OneFlow.Dsl.Benchmarks/ConvTrainStep.cs) and of
`samples/Cnn --bench`, to be measured in the same sitting.

CPU (this machine): /usr/bin/python3 bench/torch_cnn_peer.py
  measures under torch threads 1 and 2 × OPENBLAS_NUM_THREADS 1 and 2 (bench/peer_settings.py) and reports the best.
  Debian's torch runs convolutions with oneDNN (MKL-DNN), whatever OPENBLAS_NUM_THREADS says; the linear layer goes
  to OpenBLAS.
GPU machine: python3 bench/torch_cnn_peer.py cuda   (cuDNN, TF32 off, as our fp32 kernels; one run)

Prints the load average, then one line per figure (on the CPU, per setting, then the best of each):
  the SGD-momentum training step of the small ResNet (batch 32, 3x32x32, 10 classes), as ConvTrainStep;
  the training throughput of the Cnn sample's network (batch 64, 1x28x28), samples/s, as `samples/Cnn --bench`.
"""
import sys
import time

import torch
from torch import nn
import torch.nn.functional as F

import peer_settings

torch.manual_seed(0)
DEVICE = sys.argv[1] if len(sys.argv) > 1 else "cpu"
if DEVICE == "cuda":
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False


def synchronize():
    if DEVICE == "cuda":
        torch.cuda.synchronize()


def median_time(fn, repeats, rounds=7):
    """Seconds per call: the median over rounds of the mean over repeats, after two warming calls."""
    fn()
    fn()
    times = []
    for _ in range(rounds):
        synchronize()
        start = time.perf_counter()
        for _ in range(repeats):
            fn()
        synchronize()
        times.append((time.perf_counter() - start) / repeats)
    times.sort()
    return times[len(times) // 2]


class Block(nn.Module):
    """A basic residual block: conv3x3-BN-ReLU-conv3x3-BN plus the shortcut (a stride-2 1x1 conv with BN when the
    block downsamples), then ReLU."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.proj = None
        if stride != 1 or cin != cout:
            self.proj = nn.Conv2d(cin, cout, 1, stride, 0, bias=False)
            self.bnp = nn.BatchNorm2d(cout)

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        shortcut = x if self.proj is None else self.bnp(self.proj(x))
        return F.relu(h + shortcut)


class SmallResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 32, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(32)
        self.blocks = nn.Sequential(Block(32, 32, 1), Block(32, 32, 1), Block(32, 64, 2), Block(64, 64, 1))
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        h = F.relu(self.bn(self.stem(x)))
        h = self.blocks(h)
        h = torch.flatten(F.avg_pool2d(h, 16, 16), 1)
        return self.fc(h)


class MnistCnn(nn.Module):
    """The Cnn sample's network (samples/Cnn/ConvNet.cs): two conv3x3-BN-ReLU-maxpool stages and a linear classifier."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.fc = nn.Linear(32 * 7 * 7, 10)

    def forward(self, x):
        h = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2, 2)
        h = F.max_pool2d(F.relu(self.bn2(self.conv2(h))), 2, 2)
        return self.fc(torch.flatten(h, 1))


def step_time(model, batch, shape, lr, momentum):
    model = model.to(DEVICE)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    x, y = torch.rand(batch, *shape, device=DEVICE), torch.randint(0, 10, (batch,), device=DEVICE)

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    return median_time(step, 10)


def measure():
    resnet = step_time(SmallResNet().train(), 32, (3, 32, 32), lr=0.01, momentum=0.9)
    cnn = step_time(MnistCnn().train(), 64, (1, 28, 28), lr=0.01, momentum=0.9)
    return [(f"torch resnet b32 3x32x32 sgd-momentum step ({DEVICE}): {resnet * 1e3:.2f} ms", resnet),
            (f"torch cnn b64 1x28x28 sgd-momentum training ({DEVICE}): {64 / cnn:.0f} samples/s", cnn)]


peer_settings.run(measure, grid=DEVICE == "cpu")
