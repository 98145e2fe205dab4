#!/usr/bin/env bash
# The main job on its built-in default: everything odimo can do end to end today.
set -euo pipefail
cd "$(dirname "$0")/.."
odimo="$(swift build -c release --show-bin-path)/odimo"
mkdir -p out

echo "== Data: import Fashion-MNIST (Debian's dataset-fashion-mnist) with a 10 % validation split"
"$odimo" data import fashion-mnist /usr/share/datasets/fashion-mnist --output out/fashion-mnist.h5 \
  --val-split 0.1 --seed 0 --force
"$odimo" data info out/fashion-mnist.h5 | head -6

echo "== Training: ResNet-8 on Fashion-MNIST, 1 epoch, best-on-validation checkpoint"
rm -f out/resnet8-fashion-mnist.h5
"$odimo" train --model resnet8 --data out/fashion-mnist.h5 --epochs 1 --batch 128 --out out/resnet8-fashion-mnist.h5

echo "== ODiMO search: ResNet-8 on DIANA, one λ, quick preset on 6,000 images"
rm -f out/search-resnet8-diana.h5
"$odimo" search --soc diana --model resnet8 --data out/fashion-mnist.h5 --metric latency --lambda 1 \
  --train-limit 6000 --out out/search-resnet8-diana.h5
"$odimo" cost network --soc diana --model resnet8 --input 28 --channels 1 --mapping out/search-resnet8-diana.h5 | tail -2

echo "== Cost models: ResNet-20 on DIANA under the manual heuristic mappings"
for mapping in all-digital all-analog min-latency-max8bit; do
  "$odimo" cost network --soc diana --model resnet20 --mapping "$mapping" | tail -2 | sed "s/^/$mapping: /"
done
echo "== Cost models: MobileNetV1 (32×32) on Darkside"
for mapping in all-cluster all-dwe dws balanced; do
  "$odimo" cost network --soc darkside --model mobilenetv1 --mapping "$mapping" | tail -2 | sed "s/^/$mapping: /"
done
echo "== Loader: augmented batches from the imported dataset"
"$odimo" bench loader --data out/fashion-mnist.h5 --rounds 3
echo "== HDF5 storage: batch reads against h5py in the same run"
"$odimo" bench read --images 20000 --rounds 3 --compare-h5py
