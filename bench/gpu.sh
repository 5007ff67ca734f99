#!/usr/bin/env bash
# Prepares the GPU measurement (issue: CUDA backend) so that it runs as one command on the GPU machine.
#   bash bench/gpu.sh            packs samples/Mnist self-contained into .gpu/ (the GPU machine has no .NET), with the
#                                MNIST files beside it (.gpu is never committed; ../shared does not travel)
# then, on the GPU machine (device tool, carry [".gpu"]), one command measures ours and PyTorch side by side and
# trains the sample there:
#   bash .gpu/run.sh --bench --device cuda; python3 bench/torch_gpu_peer.py; bash .gpu/run.sh --device cuda --data .gpu/mnist --epochs 10
# Ours prints: the 784-512-512-10 step on cuda:0 (after checking 5 steps against cpu:0), kernel launches and host
# synchronisations per step, SGEMM 4096^3, a 64M-float add. The peer prints the same figures for PyTorch, plus its
# step replayed as one CUDA graph.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ../shared/device/pack.sh samples/Mnist/Mnist.csproj
mkdir -p .gpu/mnist && cp ../shared/data/mnist/* .gpu/mnist/
echo 'on the GPU machine: bash .gpu/run.sh --bench --device cuda; python3 bench/torch_gpu_peer.py; bash .gpu/run.sh --device cuda --data .gpu/mnist --epochs 10'
