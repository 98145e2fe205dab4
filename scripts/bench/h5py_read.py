"""Reads an HDF5 dataset in contiguous batches with h5py; prints images/s as JSON.

Used by `odimo bench read --compare-h5py` so that both readers are timed in the same run.
Usage: h5py_read.py FILE DATASET BATCH PASSES
"""
import json
import sys
import time

import h5py
import numpy as np


def main() -> None:
    path, name, batch, passes = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    with h5py.File(path, "r") as f:
        ds = f[name]
        rows = ds.shape[0]
        buffer = np.empty((batch,) + ds.shape[1:], dtype=ds.dtype)
        best = {}
        for mode in ("slice", "read_direct"):
            start = time.perf_counter()
            for _ in range(passes):
                for i in range(0, rows - batch + 1, batch):
                    if mode == "slice":
                        _ = ds[i : i + batch]
                    else:
                        ds.read_direct(buffer, np.s_[i : i + batch])
            seconds = time.perf_counter() - start
            best[mode] = passes * (rows // batch) * batch / seconds
    print(json.dumps({"images_per_second": max(best.values()), "by_mode": best}))


if __name__ == "__main__":
    main()
