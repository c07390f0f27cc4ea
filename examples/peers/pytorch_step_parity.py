"""Whittle's training steps against PyTorch's, from the same weights on the same batch.

Trains the spec's model for STEPS steps of its recipe on the first 64 Fashion-MNIST training
images in both: Whittle by `whittle train --init` on a one-batch .npy folder (so every epoch is
that batch), PyTorch by the same optimizer on the same batch (examples/peers/pytorch_spec.py
builds the model). Then prints, per tensor, the largest difference between the two results
beside the size of the step, and exits 1 if any difference is 5 % of its tensor's step or more:
summation order differs between the engines (float rounding moves the results by 1e-7 to 1e-6),
a wrong term in the arithmetic moves them by a good part of the step.
Both start from the checkpoint Whittle writes for `--epochs 0` (its own initialisation).
usage: python3 pytorch_step_parity.py SPEC WHITTLE_BINARY [STEPS] [DATA_DIR]
"""
import json, os, struct, subprocess, sys, tempfile

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pytorch_spec as ps  # noqa: E402


def read_safetensors(path):
    blob = open(path, "rb").read()
    size = struct.unpack("<Q", blob[:8])[0]
    header, base, out = json.loads(blob[8:8 + size]), 8 + size, {}
    dtypes = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        start, end = t["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(blob[base + start:base + end], dtype=dtypes[t["dtype"]]).reshape(t["shape"]).copy())
    return out


def main():
    spec_path, whittle = sys.argv[1], sys.argv[2]
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    root = sys.argv[4] if len(sys.argv) > 4 else "/usr/share/datasets/fashion-mnist"
    spec = json.load(open(spec_path))
    norm = spec.get("data", {}).get("normalize", {"mean": 0, "std": 1})
    images = ps.idx(f"{root}/train-images-idx3-ubyte.gz")[:64].reshape((64,) + tuple(spec["input"]))
    labels = ps.idx(f"{root}/train-labels-idx1-ubyte.gz")[:64].astype(np.int64)
    with tempfile.TemporaryDirectory() as work:
        data = os.path.join(work, "batch")
        os.mkdir(data)
        for split in ("train", "test"):
            np.save(f"{data}/x_{split}.npy", images)
            np.save(f"{data}/y_{split}.npy", labels)
        start, after = os.path.join(work, "start.safetensors"), os.path.join(work, "after.safetensors")
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        subprocess.run([whittle, "train", spec_path, "-o", start, "--epochs", "0", "--data", data], check=True, **quiet)
        subprocess.run([whittle, "train", spec_path, "-o", after, "--init", start, "--epochs", str(steps), "--data", data],
                       check=True, **quiet)
        initial, whittle_after = read_safetensors(start), read_safetensors(after)

    model = ps.SpecModel(spec)
    state = model.state_dict()
    model.load_state_dict({k: initial[k[len("layers."):]].reshape(v.shape).to(v.dtype) for k, v in state.items()})
    optimizer = ps.optimizer(model.parameters(), spec["train"].get("optimizer", {}))
    x = ((torch.from_numpy(images.astype(np.float32)) / 255 - norm["mean"]) / norm["std"])
    y = torch.from_numpy(labels)
    model.train()
    for _ in range(steps):
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        optimizer.step()

    worst = 0.0
    for key, value in model.state_dict().items():
        name = key[len("layers."):]
        ours, theirs = whittle_after[name].to(torch.float64).reshape(value.shape), value.to(torch.float64)
        difference = (ours - theirs).abs().max().item()
        step = (theirs - initial[name].to(torch.float64).reshape(value.shape)).abs().max().item()
        worst = max(worst, difference / step if step > 0 else (0.0 if difference == 0 else float("inf")))
        print(f"{name:32s} max |whittle - pytorch| {difference:.2e}   step {step:.2e}")
    print(f"largest difference relative to its tensor's step: {worst:.2e}")
    sys.exit(0 if worst < 0.05 else 1)


if __name__ == "__main__":
    main()
