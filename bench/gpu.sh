#!/usr/bin/env bash
# Prepares a GPU measurement so that it runs as one command on the GPU machine (which has no .NET). .gpu/ is never
# committed and ../shared does not travel, so the program is packed self-contained with its data beside it.
#   bash bench/gpu.sh [mnist]    packs samples/Mnist with the MNIST files (issue: CUDA backend); then, on the GPU
#                                machine (device tool, carry [".gpu"]):
#     bash .gpu/run.sh --bench --device cuda; python3 bench/torch_gpu_peer.py; bash .gpu/run.sh --device cuda --data .gpu/mnist --epochs 10
#   Ours prints: the 784-512-512-10 step on cuda:0 (after checking 5 steps against cpu:0), kernel launches and host
#   synchronisations per step, SGEMM 4096^3, a 64M-float add; the peer the same figures for PyTorch, plus its step
#   replayed as one CUDA graph.
#   bash bench/gpu.sh gpt        packs samples/Gpt with tiny-shakespeare (issue: large models); then:
#     bash .gpu/run.sh --bench --device cuda; python3 bench/torch_gpt_peer.py cuda; bash .gpu/run.sh --device cuda --data .gpu/input.txt
#   Both print the GPT training step (4 layers, width 128, context 64, batch 12, AdamW); the last command trains the
#   sample there and ends with its val loss.
#   bash bench/gpu.sh cnn        packs samples/Cnn with the MNIST files (issue: vision); then:
#     bash .gpu/run.sh --bench --device cuda; python3 bench/torch_cnn_peer.py cuda; bash .gpu/run.sh --device cuda --data .gpu/mnist --epochs 5
#   Ours prints the sample network's step on cuda:0 (after checking 5 steps against cpu:0) and its launches; the peer
#   the small ResNet's step and the sample network's samples/s; the last command trains the sample there.
#   bash bench/gpu.sh all        packs the three samples into one folder (they share the runtime, so together they
#                                fit the 64 MiB that travels) with both data sets; then, on the GPU machine:
#     bash bench/gpu_all.sh      every measurement above in one command, each bounded, logs in $OUT
# Otherwise only one of them fits the 64 MiB that travels at a time.
set -euo pipefail
cd "$(dirname "$0")/.."

# Publishes several programs self-contained into one folder: the runtime and the project's own libraries are the same
# files for all of them, so they are packed once. .gpu/run.sh PROGRAM ARGS runs one of them.
pack_together() {
  local tmp; tmp=$(mktemp -d)
  for proj in "$@"; do
    dotnet publish "$proj" -c Release -r linux-x64 --self-contained true -o "$tmp/app" -p:PublishTrimmed=false >"$tmp/publish.log" \
      || { tail -30 "$tmp/publish.log"; rm -rf "$tmp"; exit 1; }
  done
  rm -rf .gpu && mkdir -p .gpu
  grep -qxF "/.gpu/" "$(git rev-parse --git-path info/exclude)" || echo "/.gpu/" >> "$(git rev-parse --git-path info/exclude)"
  tar czf .gpu/app.tgz -C "$tmp/app" . && rm -rf "$tmp"
  cat > .gpu/run.sh <<'RUN'
#!/usr/bin/env bash
# Runs on the GPU machine: unpacks the published programs once and runs the one named first with the other arguments.
set -e
here=$(cd "$(dirname "$0")" && pwd)
[ -x "/tmp/app/$1" ] || { mkdir -p /tmp/app && tar xzf "$here/app.tgz" -C /tmp/app; }
export LD_LIBRARY_PATH=/usr/local/cuda-13.0/targets/x86_64-linux/lib:${LD_LIBRARY_PATH:-}
program=$1; shift
exec "/tmp/app/$program" "$@"
RUN
  echo "packed $(du -h .gpu/app.tgz | cut -f1) into .gpu/"
}
case "${1:-mnist}" in
  mnist)
    bash ../shared/device/pack.sh samples/Mnist/Mnist.csproj
    mkdir -p .gpu/mnist && cp ../shared/data/mnist/* .gpu/mnist/
    echo 'on the GPU machine: bash .gpu/run.sh --bench --device cuda; python3 bench/torch_gpu_peer.py; bash .gpu/run.sh --device cuda --data .gpu/mnist --epochs 10'
    ;;
  gpt)
    bash ../shared/device/pack.sh samples/Gpt/Gpt.csproj
    cp ../shared/data/tinyshakespeare/input.txt .gpu/input.txt
    echo 'on the GPU machine: bash .gpu/run.sh --bench --device cuda; python3 bench/torch_gpt_peer.py cuda; bash .gpu/run.sh --device cuda --data .gpu/input.txt'
    ;;
  cnn)
    bash ../shared/device/pack.sh samples/Cnn/Cnn.csproj
    mkdir -p .gpu/mnist && cp ../shared/data/mnist/* .gpu/mnist/
    echo 'on the GPU machine: bash .gpu/run.sh --bench --device cuda; python3 bench/torch_cnn_peer.py cuda; bash .gpu/run.sh --device cuda --data .gpu/mnist --epochs 5'
    ;;
  all)
    pack_together samples/Mnist/Mnist.csproj samples/Gpt/Gpt.csproj samples/Cnn/Cnn.csproj
    mkdir -p .gpu/mnist && cp ../shared/data/mnist/* .gpu/mnist/
    cp ../shared/data/tinyshakespeare/input.txt .gpu/input.txt
    echo 'on the GPU machine: bash bench/gpu_all.sh'
    ;;
  *) echo "usage: bash bench/gpu.sh [mnist|gpt|cnn|all]" >&2; exit 2 ;;
esac
