"""PyTorch's side of the optimizer agreement test (OptimizerTests.cs): torch.optim from the same weights and the same
five gradients as ours, the weights written after every step.

  python3 optim_agreement.py CASE INPUTS OUT   INPUTS holds "a" and "b" (the weights) and "a.s", "b.s" (the
                                               gradient of step s, 1 to 5); OUT gets "a.s" and "b.s" after each step
  CASE: momentum (SGD 0.05, momentum 0.9), adam (1e-2), adamw (1e-2, decay 0.1), clipped-sgd (0.1, norm 0.5),
        clipped-adamw (1e-2, norm 0.5), scheduled (AdamW 2e-2, warm-up 2 of 5 steps, cosine to 0.2 of the peak),
        adagrad (0.1)
"""
import math
import sys

import torch

from safetensors_io import read, write


def schedule(step, warmup=2, total=5, floor=0.2):
    """OneFlow.Dsl's LearningRateSchedule.WarmupCosine: the factor of the peak rate at step (from 1)."""
    if step <= warmup:
        return step / warmup
    if step >= total:
        return floor
    progress = (step - warmup) / (total - warmup)
    return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress))


def optimizer(case, params):
    if case == "momentum":
        return torch.optim.SGD(params, lr=0.05, momentum=0.9), None
    if case == "adam":
        return torch.optim.Adam(params, lr=1e-2), None
    if case == "adamw":
        return torch.optim.AdamW(params, lr=1e-2, weight_decay=0.1), None
    if case == "clipped-sgd":
        return torch.optim.SGD(params, lr=0.1), 0.5
    if case == "clipped-adamw":
        return torch.optim.AdamW(params, lr=1e-2, weight_decay=0.01), 0.5
    if case == "scheduled":
        return torch.optim.AdamW(params, lr=2e-2, weight_decay=0.01), None
    if case == "adagrad":
        return torch.optim.Adagrad(params, lr=0.1), None
    raise ValueError(case)


if __name__ == "__main__":
    case, inputs, out = sys.argv[1:]
    t = read(inputs)
    params = [t["a"].clone().requires_grad_(True), t["b"].clone().requires_grad_(True)]
    opt, clip = optimizer(case, params)
    lr_schedule = torch.optim.lr_scheduler.LambdaLR(opt, lambda e: schedule(e + 1)) if case == "scheduled" else None
    written = {}
    for step in range(1, 6):
        for p, name in zip(params, "ab"):
            p.grad = t[f"{name}.{step}"].clone()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(params, clip)
        opt.step()
        if lr_schedule is not None:
            lr_schedule.step()
        for p, name in zip(params, "ab"):
            written[f"{name}.{step}"] = p.detach().clone()
    write(out, written)
