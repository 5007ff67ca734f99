"""Gives a PyTorch peer benchmark (bench/torch_*.py) PyTorch's best CPU settings and says how busy the machine was.

On the CPU the peer is measured under torch threads 1 and 2 × OPENBLAS_NUM_THREADS 1 and 2, and the best of each
figure is reported: which setting is fastest depends on the work and on the machine (both kinds of threads on two
cores oversubscribe them). OpenBLAS reads OPENBLAS_NUM_THREADS once, when torch is imported, so each setting is a fresh
run of the same script (same interpreter, same arguments) with the variable set; PEER_TORCH_THREADS tells that child
its torch thread count, and the child hands its figures back as JSON on its last line of output.
"""
import json
import os
import subprocess
import sys

import torch

GRID = [(threads, blas) for threads in (1, 2) for blas in (1, 2)]
CHILD = "PEER_TORCH_THREADS"


def run(measure, grid=True):
    """Prints the load average, then the figures of measure(): with the grid, one line per figure and setting and then
    the best of each figure; without it (on a GPU, where these threads do not matter), one run's. measure() returns one
    (line, seconds) pair per figure, in the same order every run; the fewest seconds is the best (a rate is work over
    seconds). Anything else measure() prints is passed on."""
    if CHILD in os.environ:
        torch.set_num_threads(int(os.environ[CHILD]))
        print(json.dumps(measure()))
        return
    # Flushed as they come: a setting takes a while to measure, and its warnings go straight to stderr.
    with open("/proc/loadavg") as f:
        print("load average:", " ".join(f.read().split()[:3]), flush=True)
    if not grid:
        for line, _ in measure():
            print(line)
        return
    best = {}
    for threads, blas in GRID:
        setting = f"torch threads {threads}, OPENBLAS_NUM_THREADS={blas}"
        env = {**os.environ, "OPENBLAS_NUM_THREADS": str(blas), CHILD: str(threads)}
        out = subprocess.run([sys.executable, *sys.argv], env=env, stdout=subprocess.PIPE, text=True, check=True)
        *printed, figures = out.stdout.splitlines()
        for line in printed:
            print(line)
        for i, (line, seconds) in enumerate(json.loads(figures)):
            print(f"{setting}: {line}", flush=True)
            if i not in best or seconds < best[i][0]:
                best[i] = (seconds, setting, line)
    for _, setting, line in best.values():
        print(f"best ({setting}): {line}")
