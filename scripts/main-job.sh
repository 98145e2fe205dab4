#!/usr/bin/env bash
# The main job on its built-in default: everything odimo can do end to end today.
# Output goes to out/ (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
odimo="$(swift build -c release --show-bin-path)/odimo"
mkdir -p out
echo "== HDF5 storage: write, read back and compare with h5py"
"$odimo" bench read --images 20000 --rounds 3 --compare-h5py
