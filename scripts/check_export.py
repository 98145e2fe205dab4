#!/usr/bin/env python3
"""Checks an odimo export against odimo's own logits (odimo export … --reference REF.h5).

  check_export.py onnx MODEL.onnx REF.h5        onnx.checker + ONNX Runtime
  check_export.py pytorch DIR REF.h5            DIR/model.py + DIR/model.safetensors with torch

Prints one JSON line: max |logit difference|, argmax agreement, the accuracy on the batch,
and for ONNX the per-node unit annotations of the graph (layer → unit → output channels).
"""
import importlib.util
import json
import sys

import h5py
import numpy as np


def reference(path):
    with h5py.File(path, "r") as f:
        return f["images"][...].astype(np.float32), f["labels"][...], f["logits"][...]


def onnx_logits(model_path, images):
    import onnx
    import onnxruntime

    model = onnx.load(model_path)
    onnx.checker.check_model(model, full_check=True)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
    logits = session.run(None, {session.get_inputs()[0].name: images})[0]
    initializers = {t.name: t for t in model.graph.initializer}
    produced = {o: n for n in model.graph.node for o in n.output}
    channels = {}
    for node in model.graph.node:
        meta = {p.key: p.value for p in node.metadata_props}
        if node.op_type != "Conv" or "odimo.unit" not in meta:
            continue
        weight = node.input[1]
        if weight in initializers:
            out = initializers[weight].dims[0]
        else:  # DequantizeLinear of int8 codes
            out = initializers[produced[weight].input[0]].dims[0]
        layer = channels.setdefault(meta["odimo.layer"], {})
        layer[meta["odimo.unit"]] = layer.get(meta["odimo.unit"], 0) + int(out)
    metadata = {p.key: p.value for p in model.metadata_props}
    ops = sorted({n.op_type for n in model.graph.node})
    return logits, {"channels": channels, "metadata": metadata, "ops": ops}


def pytorch_logits(folder, images):
    import torch
    from safetensors.torch import load_file

    spec = importlib.util.spec_from_file_location("odimo_export", f"{folder}/model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    torch.set_num_threads(1)
    model = module.Model()
    model.load_state_dict(load_file(f"{folder}/model.safetensors"))
    model.eval()
    with torch.no_grad():
        return model(torch.from_numpy(images)).numpy(), {}


def main():
    kind, path, ref = sys.argv[1:4]
    images, labels, expected = reference(ref)
    logits, extra = (onnx_logits if kind == "onnx" else pytorch_logits)(path, images)
    difference = np.abs(logits - expected)
    result = {
        "max_difference": float(difference.max()),
        "images_over_1e-4": int((difference.max(axis=1) > 1e-4).sum()),
        "argmax_equal": int((logits.argmax(1) == expected.argmax(1)).sum()),
        "images": int(len(labels)),
        "accuracy": float((logits.argmax(1) == labels).mean()),
        "odimo_accuracy": float((expected.argmax(1) == labels).mean()),
    }
    result.update(extra)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
