#!/usr/bin/env bash
# The main job: the default ODiMO experiment end to end on Fashion-MNIST (Debian's
# dataset-fashion-mnist), on a 2-core machine in under 20 minutes:
#   import (padded to 32×32×3, as the ODiMO reference feeds Fashion-MNIST) → quick-preset
#   λ sweeps with hand-made baselines and a float reference for DIANA (ResNet-20) and
#   Darkside (MobileNetV1 ×0.25, stem stride 2: the reference's geometry) → reports in
#   reports/ → audits.
# Every search and baseline trains on the same first 8,000 training images (the quick
# preset's scale); validation (6,000) and test (10,000) splits are used whole.
# ODIMO_TRAIN_LIMIT changes the image budget; ODIMO_KEEP=1 reuses finished sweep points.
set -euo pipefail
cd "$(dirname "$0")/.."
# Build now and pin the commit the binary is built from, so every run file and report names
# it even if the repository moves on while the job runs (-dirty: uncommitted changes).
swift build -c release --product odimo 2>&1 | tail -1
odimo="$(swift build -c release --show-bin-path)/odimo"
ODIMO_COMMIT="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
[ -z "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] || ODIMO_COMMIT="$ODIMO_COMMIT-dirty"
export ODIMO_COMMIT
echo "== odimo at commit $ODIMO_COMMIT"
limit="${ODIMO_TRAIN_LIMIT:-8000}"
mkdir -p out/sweeps
start=$(date +%s)
elapsed() { echo "[$(( $(date +%s) - start )) s]"; }

echo "== Data: import Fashion-MNIST with a stratified 10 % validation split $(elapsed)"
"$odimo" data import fashion-mnist /usr/share/datasets/fashion-mnist --out out/fashion-mnist.h5 \
  --val-split 0.1 --pad-to 32 --channels 3 --seed 0 --force --quiet
"$odimo" data info out/fashion-mnist.h5 | head -4

sweep() {  # name soc model baselines [model options…]
  local name=$1 soc=$2 model=$3 baselines=$4
  shift 4
  [ "${ODIMO_KEEP:-0}" = 1 ] || rm -rf "out/sweeps/$name"
  echo "== Sweep: $model on $soc, λ ∈ {0, 0.1, 1, 10} (normalized), baselines $baselines $(elapsed)"
  "$odimo" sweep run --soc "$soc" --model "$model" "$@" --data out/fashion-mnist.h5 --lambdas 0,0.1,1,10 \
    --metric latency --train-limit "$limit" --baselines "$baselines" --reference --seed 0 --out "out/sweeps/$name"
  "$odimo" sweep merge "out/sweeps/$name"
}
sweep diana diana resnet20 all-digital,all-analog,min-latency-max8bit
sweep darkside darkside mobilenetv1 all-cluster,all-dwe,dws --width 0.25 --stem-stride 2

for name in diana darkside; do
  echo "== Report and audit: $name $(elapsed)"
  "$odimo" report "out/sweeps/$name" --out "reports/$name-fashion-mnist"
  "$odimo" audit "reports/$name-fashion-mnist/report.md" --quiet --allow-outside
done
echo "== Done $(elapsed): reports/diana-fashion-mnist/report.md, reports/darkside-fashion-mnist/report.md"
