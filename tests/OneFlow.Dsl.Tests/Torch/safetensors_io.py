"""Reads and writes safetensors files of F32 tensors with nothing beyond torch, for the agreement scripts.

Tensors are read as float64: every reference is computed in double precision from the same float32 inputs, so that
a test's tolerance measures our error rather than PyTorch's float32 rounding (which differs from CPU to CPU). Results
are written back as F32, a rounding of at most half a unit in the last place.
"""
import json
import struct

import torch


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    body = data[8 + length:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", f"{name} is {info['dtype']}"
        start, end = info["data_offsets"]
        tensors[name] = torch.frombuffer(bytearray(body[start:end]), dtype=torch.float32).reshape(info["shape"]).double()
    return tensors


def write(path, tensors):
    header, body, offset = {}, b"", 0
    for name, tensor in tensors.items():
        raw = tensor.detach().to(torch.float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(raw)]}
        body += raw
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + body)
