#!/usr/bin/env bash
# Redraws every picture of the docs from real plans, a traced step and the MNIST sample:
#   bash docs/pictures/draw.sh      (needs Graphviz "dot" for the SVGs; writes docs/images/)
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet run -c Release --project docs/pictures -- docs/images
data=../shared/data/mnist
dotnet run -c Release --project samples/Mnist -- ${data:+--data $data} --epochs 3 --plot docs/images/mnist-training.png \
  --plan docs/images/mnist-plan.svg | tail -1
dotnet run -c Release --project samples/Gpt -- --data ../shared/data/tinyshakespeare/input.txt --plot docs/images/gpt-training.png | tail -1
