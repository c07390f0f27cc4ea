"""PyTorch peer for `whittle bench`: any Whittle spec's model and recipe, trained in PyTorch.

Reads a Whittle spec (examples/*.json), builds the same graph of nn.Modules (layer names,
`inputs` branches, `add` nodes), with PyTorch's default initialisation (Whittle uses the same
scheme: U(±1/√fan_in) for conv and linear weights and biases, BatchNorm γ=1 β=0), and trains
the spec's recipe (batch size, SGD or Adam, schedule, cross-entropy) on the IDX data folder,
inputs (x/255 − mean)/std as the spec's data.normalize says, on 2 threads.
Prints one JSON object: per-epoch samples/s, median, and final test accuracy (eval mode).
usage: python3 pytorch_spec.py SPEC DATA_DIR EPOCHS SEED [TRAIN_LIMIT]
"""
import gzip, json, math, statistics, sys, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def pair(v, default):
    v = default if v is None else v
    return tuple(v) if isinstance(v, list) else (v, v)


class Add(nn.Module):
    def forward(self, *xs):
        return sum(xs[1:], xs[0])


class GlobalAvgPool(nn.Module):
    def forward(self, x):
        return F.adaptive_avg_pool2d(x, 1)


class Flatten(nn.Module):
    def forward(self, x):
        return torch.flatten(x, 1)


def make_module(layer, shape):
    """The nn.Module for one spec layer, given the per-sample input shape."""
    t = layer["type"]
    if t == "conv2d":
        return nn.Conv2d(layer.get("in_channels", shape[0]), layer["out_channels"], pair(layer["kernel"], None),
                         stride=pair(layer.get("stride"), 1), padding=pair(layer.get("padding"), 0),
                         groups=layer.get("groups", 1), bias=layer.get("bias", True))
    if t == "linear":
        return nn.Linear(layer.get("in_features", math.prod(shape)), layer["out_features"], bias=layer.get("bias", True))
    if t in ("maxpool2d", "avgpool2d"):
        k = pair(layer["kernel"], None)[0]
        stride, padding = pair(layer.get("stride"), k)[0], pair(layer.get("padding"), 0)[0]
        if t == "maxpool2d":
            return nn.MaxPool2d(k, stride, padding)
        return nn.AvgPool2d(k, stride, padding, count_include_pad=False)
    if t == "global_avgpool":
        return GlobalAvgPool()
    if t in ("batchnorm1d", "batchnorm2d"):
        cls = nn.BatchNorm2d if t == "batchnorm2d" else nn.BatchNorm1d
        return cls(shape[0], eps=layer.get("eps", 1e-5), momentum=layer.get("momentum", 0.1))
    if t == "relu":
        return nn.ReLU()
    if t == "relu6":
        return nn.ReLU6()
    if t == "flatten":
        return Flatten()
    if t == "dropout":
        return nn.Dropout(layer.get("p", 0.5))
    if t == "add":
        return Add()
    raise SystemExit(f"pytorch_spec.py: layer type {t!r} is not supported")


class SpecModel(nn.Module):
    """The spec's layers as a graph: each node reads the one before it or its `inputs`."""

    def __init__(self, spec):
        super().__init__()
        self.layers = nn.ModuleDict()
        self.edges = []  # (name, producer names); "input" is the model input
        shapes = {"input": tuple(spec["input"])}
        previous = "input"
        for i, layer in enumerate(spec["layers"]):
            name = layer.get("name", f"{layer['type']}{i}")
            producers = layer.get("inputs", [previous])
            module = make_module(layer, shapes[producers[0]])
            with torch.no_grad():
                module.eval()
                probe = module(*[torch.zeros((2,) + shapes[p]) for p in producers])
                module.train()
            shapes[name] = tuple(probe.shape[1:])
            self.layers[name] = module
            self.edges.append((name, producers))
            previous = name

    def forward(self, x):
        outputs = {"input": x}
        for name, producers in self.edges:
            outputs[name] = self.layers[name](*[outputs[p] for p in producers])
        return outputs[self.edges[-1][0]]


def learning_rate(train, epoch):
    base, schedule = train["optimizer"].get("lr", 0.01 if train["optimizer"].get("type", "sgd") == "sgd" else 0.001), train.get("schedule")
    if not schedule or schedule["type"] == "constant":
        return base
    epochs = train.get("epochs", 5)
    if schedule["type"] == "step":
        return base * schedule.get("gamma", 0.1) ** (epoch // schedule.get("step_size", 1))
    minimum = schedule.get("min_lr", 0)
    return minimum + (base - minimum) * (1 + math.cos(math.pi * epoch / max(epochs, 1))) / 2


def optimizer(params, o):
    if o.get("type", "sgd") == "sgd":
        return torch.optim.SGD(params, lr=o.get("lr", 0.01), momentum=o.get("momentum", 0),
                               weight_decay=o.get("weight_decay", 0), nesterov=o.get("nesterov", False))
    return torch.optim.Adam(params, lr=o.get("lr", 0.001), betas=tuple(o.get("betas", [0.9, 0.999])),
                            eps=o.get("eps", 1e-8), weight_decay=o.get("weight_decay", 0))


def main():
    spec_path, root, epochs, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    train_limit = int(sys.argv[5]) if len(sys.argv) > 5 else None
    with open(spec_path) as f:
        spec = json.load(f)
    train = spec.get("train", {})
    train["epochs"] = epochs
    batch = train.get("batch_size", 64)
    norm = spec.get("data", {}).get("normalize", {"mean": 0, "std": 1})
    torch.set_num_threads(2)
    torch.manual_seed(seed)

    def load(split):
        x = torch.from_numpy(idx(f"{root}/{split}-images-idx3-ubyte.gz").astype(np.float32))
        y = torch.from_numpy(idx(f"{root}/{split}-labels-idx1-ubyte.gz").astype(np.int64))
        return ((x / 255 - norm["mean"]) / norm["std"]).reshape((len(x),) + tuple(spec["input"])), y
    xtr, ytr = load("train")
    xte, yte = load("t10k")
    if train_limit:
        xtr, ytr = xtr[:train_limit], ytr[:train_limit]
    model = SpecModel(spec)
    opt = optimizer(model.parameters(), train.get("optimizer", {}))
    rates = []
    for epoch in range(epochs):
        for group in opt.param_groups:
            group["lr"] = learning_rate(train, epoch)
        model.train()
        order = torch.randperm(len(xtr))
        start = time.perf_counter()
        for i in range(0, len(xtr), batch):
            idx_ = order[i:i + batch]
            opt.zero_grad()
            loss = F.cross_entropy(model(xtr[idx_]), ytr[idx_])
            loss.backward()
            opt.step()
        rates.append(len(xtr) / (time.perf_counter() - start))
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(xte), 1000):
            correct += (model(xte[i:i + 1000]).argmax(1) == yte[i:i + 1000]).sum().item()
    print(json.dumps({"samples_per_second": rates, "median_samples_per_second": statistics.median(rates),
                      "test_accuracy": correct / len(xte), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
