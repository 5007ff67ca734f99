"""The PyTorch peer of the GPT sample's generation (samples/Gpt --generate), measured in the same sitting.

    /usr/bin/python3 bench/torch_gpt_generate.py WEIGHTS.safetensors 500 "ROMEO:"

The sample's model (bench/torch_gpt_peer.py's Gpt) with the weights the sample saved (--save), generating the way
nanoGPT's generate does: for every new character the whole context (its last 64 characters) goes through the model
and the last position's logits are sampled. Eager PyTorch, fp32, no_grad. Prints the load average, then the text and
`tokens/s: X` under each setting of torch threads 1 and 2 × OPENBLAS_NUM_THREADS 1 and 2 (bench/peer_settings.py), then
the best `tokens/s`.
"""
import json
import struct
import sys
import time

import torch

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import peer_settings  # noqa: E402
from torch_gpt_peer import CONTEXT, LAYERS, Gpt  # noqa: E402

CHARACTERS = "\n" + "".join(chr(c) for c in range(32, 127))


def read_safetensors(path):
    with open(path, "rb") as f:
        header_length = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(header_length))
        data = f.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        tensors[name] = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.float32).reshape(entry["shape"])
    return tensors


def load(model, weights):
    """Ours are [in, out] matrices and separate gains and shifts; PyTorch's Linear holds [out, in]."""
    state = {"tokens.weight": weights["tokens"], "positions": weights["positions"],
             "norm.weight": weights["norm"], "norm.bias": weights["shift"], "head.weight": weights["head"].T}
    for i in range(LAYERS):
        b = f"blocks.{i}."
        state.update({b + "norm1.weight": weights[b + "norm1"], b + "norm1.bias": weights[b + "shift1"],
                      b + "norm2.weight": weights[b + "norm2"], b + "norm2.bias": weights[b + "shift2"],
                      b + "qkv.weight": weights[b + "qkv"].T, b + "proj.weight": weights[b + "proj"].T,
                      b + "up.weight": weights[b + "up"].T, b + "down.weight": weights[b + "down"].T,
                      b + "mask": torch.tril(torch.ones(CONTEXT, CONTEXT)).bool()})
    model.load_state_dict({k: v.contiguous() for k, v in state.items()})


def forward(model, ids):
    """The model over a context of any length up to 64, positions from 0 (the peer's forward takes 64 exactly)."""
    x = model.tokens(ids) + model.positions[: ids.shape[1]]
    for block in model.blocks:
        x = block(x)
    return model.head(model.norm(x))


@torch.no_grad()
def generate(model, ids, count):
    for _ in range(count):
        logits = forward(model, ids[:, -CONTEXT:])[:, -1, :]
        ids = torch.cat((ids, torch.multinomial(torch.softmax(logits, dim=-1), num_samples=1)), dim=1)
    return ids


def measure(path, count, prompt):
    torch.manual_seed(42)
    model = Gpt().eval()
    load(model, read_safetensors(path))
    ids = torch.tensor([[max(0, CHARACTERS.find(c)) for c in prompt]])
    generate(model, ids, 5)
    start = time.perf_counter()
    out = generate(model, ids, count)
    seconds = time.perf_counter() - start
    print(prompt + "".join(CHARACTERS[i] for i in out[0, ids.shape[1]:].tolist()))
    return [(f"tokens/s: {count / seconds:.1f}", seconds)]


if __name__ == "__main__":
    path, count, prompt = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    peer_settings.run(lambda: measure(path, count, prompt))
