#!/usr/bin/env bash
# Installs everything odimo needs on a fresh Debian 12 (bookworm) machine and builds it.
# Run it as root or as a user with sudo: it elevates itself only for apt-get. Swift 6 must
# already be on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

packages=(
  libhdf5-dev hdf5-tools      # HDF5 1.10 (serial) and h5dump
  libpng-dev zlib1g-dev       # PNG reports, zlib
  libfreetype-dev             # text in report charts
  fonts-dejavu-core           # the charts' font (DejaVu Sans)
  libdeflate-dev              # fast inflate for gzip-chunked datasets
  libdnnl-dev                 # oneDNN 2.6: the training engine's kernels
  libturbojpeg0-dev           # JPEG decoding for the ImageNet importer
  libssl-dev                  # SHA-256 of imported files (libcrypto)
  python3-h5py                # interoperability tests and the h5py benchmark
  dataset-fashion-mnist       # the real dataset every machine has
  pkg-config
)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# TensorBoard's own event-file reader checks odimo's --tensorboard files in the tests.
if ! python3 -c "import tensorboard" 2>/dev/null; then
  echo "setup: pip install tensorboard"
  python3 -m pip install -q --disable-pip-version-check tensorboard
fi
# The export tests check odimo's ONNX and PyTorch exports with their consumers' own code.
if ! python3 -c "import onnx, onnxruntime, h5py" 2>/dev/null; then
  echo "setup: pip install onnx onnxruntime h5py"
  python3 -m pip install -q --disable-pip-version-check onnx onnxruntime h5py
fi
if ! python3 -c "import torch, safetensors" 2>/dev/null; then
  echo "setup: pip install torch (CPU) safetensors"
  python3 -m pip install -q --disable-pip-version-check "torch==2.13.0+cpu" safetensors
fi
if [ "${ODIMO_SKIP_BUILD:-0}" != 1 ]; then
  swift build -c release --product odimo
fi
echo "setup: done ($(swift build -c release --show-bin-path)/odimo)"
