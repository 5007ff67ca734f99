"""PyTorch's side of the op-agreement test (OpAgreementTests.cs): every case's forward value and the gradient of
sum(y * r) for every operand, by torch's own ops and autograd in float64, from the same float32 operands as ours.
PyTorch's float32 result is computed too, and its distance from float64, so that a failure can say whose rounding is
larger.

  python3 op_agreement.py CASES INPUTS OUT   CASES: JSON, one entry per case: "expr" (a Python expression over the
                                             operands a, b, c, ... and the helpers below), "ids" (operands that are
                                             integers), "grads" (operands to differentiate), "updated" (operands the op
                                             changes in place); INPUTS: "<case>.<i>" the operands, "<case>.r" the
                                             projection r; OUT: "<case>.y", "<case>.grad.<i>", "<case>.after.<i>", and
                                             for each of those "<name>.f32" PyTorch's own float32 error (its largest
                                             absolute distance from float64, one value)
"""
import json
import sys

import torch
import torch.nn.functional as F

from safetensors_io import read, write


def causal_softmax(x):
    """Softmax over the last axis of [.., T, T], row i over keys 0..i."""
    t = x.shape[-1]
    mask = torch.ones(t, t, dtype=torch.bool).triu(1)
    return x.masked_fill(mask, float("-inf")).softmax(-1)


def offset_causal_softmax(x, positions):
    """Causal softmax whose query rows of sequence b start at positions[b]: row i keeps keys 0..positions[b] + i."""
    tq, tk = x.shape[-2], x.shape[-1]
    rows = positions.reshape(-1, *([1] * (x.dim() - 3)), 1, 1) + torch.arange(tq).reshape(tq, 1)
    return x.masked_fill(torch.arange(tk) > rows, float("-inf")).softmax(-1)


def cache_append(cache, value, positions, axis):
    """Row b of value written at position positions[b] of row b of cache along axis, in place."""
    for b in range(cache.shape[0]):
        cache[b].narrow(axis - 1, int(positions[b, 0]), 1).copy_(value[b])
    return cache


HELPERS = {"torch": torch, "F": F, "causal_softmax": causal_softmax,
           "offset_causal_softmax": offset_causal_softmax, "cache_append": cache_append}


def run(case, name, data, dtype):
    """The case's value, gradients and updated operands, computed in dtype."""
    operands = []
    for i in range(sum(1 for key in data if key.startswith(name + ".") and key[len(name) + 1:].isdigit())):
        value = data[f"{name}.{i}"]
        if i in case["ids"]:
            operands.append(value.long())
        else:
            operands.append(value.to(dtype).clone().requires_grad_(i in case["grads"]))
    y = eval(case["expr"], dict(HELPERS), {chr(ord("a") + i): v for i, v in enumerate(operands)})
    out = {"y": y.detach().clone()}
    if case["grads"]:
        (y * data[name + ".r"].to(dtype)).sum().backward()
        out.update({f"grad.{i}": operands[i].grad for i in case["grads"]})
    out.update({f"after.{i}": operands[i].detach() for i in case["updated"]})
    return out


def main(cases_path, inputs, out_path):
    with open(cases_path) as f:
        cases = json.load(f)
    data = read(inputs)
    written = {}
    for name, case in cases.items():
        exact, single = run(case, name, data, torch.float64), run(case, name, data, torch.float32)
        for key, value in exact.items():
            written[f"{name}.{key}"] = value
            error = (single[key].double() - value).abs().max() if value.numel() else torch.zeros(())
            written[f"{name}.{key}.f32"] = error.reshape(1)
    write(out_path, written)


if __name__ == "__main__":
    main(*sys.argv[1:])
