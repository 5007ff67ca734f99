#!/usr/bin/env bash
# Runs on the GPU machine after `bash bench/gpu.sh all` packed .gpu/ here: every GPU measurement of the project in one
# command (a machine is lent for minutes at a time). Each step is bounded so that one that hangs leaves time for the
# rest; each step's output goes to the console and to $OUT/<step>.log.
#   bash bench/gpu_all.sh [STEP...]     steps: mnist mnist-peer gpt gpt-peer cnn cnn-peer mnist-train gpt-train cnn-train
cd "$(dirname "$0")/.."
out=${OUT:-/tmp/gpu-out}; mkdir -p "$out"
export PYTHONUNBUFFERED=1
step() {
  local name=$1 limit=$2; shift 2
  echo "=== $name (at most ${limit}s): $*"
  local start=$SECONDS
  timeout "$limit" "$@" 2>&1 | tee "$out/$name.log"
  echo "=== $name: exit ${PIPESTATUS[0]} after $((SECONDS - start))s"
}
run() {
  case $1 in
    mnist) step mnist 80 bash .gpu/run.sh Mnist --bench --device cuda ;;
    mnist-peer) step mnist-peer 45 python3 bench/torch_gpu_peer.py ;;
    gpt) step gpt 80 bash .gpu/run.sh Gpt --bench --device cuda ;;
    gpt-peer) step gpt-peer 45 python3 bench/torch_gpt_peer.py cuda ;;
    cnn) step cnn 80 bash .gpu/run.sh Cnn --bench --device cuda ;;
    cnn-peer) step cnn-peer 45 python3 bench/torch_cnn_peer.py cuda ;;
    mnist-train) step mnist-train 45 bash .gpu/run.sh Mnist --device cuda --data .gpu/mnist --epochs 10 ;;
    gpt-train) step gpt-train 60 bash .gpu/run.sh Gpt --device cuda --data .gpu/input.txt ;;
    cnn-train) step cnn-train 45 bash .gpu/run.sh Cnn --device cuda --data .gpu/mnist --epochs 5 ;;
    *) echo "unknown step $1" >&2; return 2 ;;
  esac
}
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
for s in "${@:-mnist mnist-peer gpt gpt-peer cnn cnn-peer mnist-train gpt-train cnn-train}"; do for t in $s; do run "$t"; done; done
