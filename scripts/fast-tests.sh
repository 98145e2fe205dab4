#!/usr/bin/env bash
# The fast tests alone (unit tests: ≈ 140 tests in under 10 s on 2 cores), for the edit–test loop.
# Skipped: end-to-end CLI tests, reports and audits, fuzzing, real trainings and searches,
# real-dataset imports and the h5py/PyTorch interoperability checks — `swift test` runs all.
# A new suite that trains, searches, fuzzes or runs the CLI belongs in this list.
set -euo pipefail
cd "$(dirname "$0")/.."
slow="CLITests|ReportsTests|Fuzz|TrainingTests|ImageNetTests|SweepTests|SearchRunTests|FaithfulODiMOTests"
slow+="|FoldingTests|FashionMNISTTests|PyTorchParityTests|InteropTests"
exec swift test --skip "$slow" "$@"
