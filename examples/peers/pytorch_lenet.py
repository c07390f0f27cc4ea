"""PyTorch peer for `make bench`: the LeNet Fashion-MNIST recipe Whittle's bench runs.

LeNet (conv 1→6 k5, ReLU, maxpool 2, conv 6→16 k5, ReLU, maxpool 2, fc 256→120→84→10),
SGD lr 0.01 momentum 0.9, batch 64, inputs (x/255 − 0.5)/0.5, on 2 threads.
Prints one JSON object: per-epoch samples/s, median, and final test accuracy.
usage: python3 pytorch_lenet.py DATA_DIR EPOCHS SEED
"""
import gzip, json, statistics, sys, time

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


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(256, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


def main():
    root, epochs, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(2)
    torch.manual_seed(seed)
    def load(split):
        x = torch.from_numpy(idx(f"{root}/{split}-images-idx3-ubyte.gz").astype(np.float32))
        y = torch.from_numpy(idx(f"{root}/{split}-labels-idx1-ubyte.gz").astype(np.int64))
        return ((x / 255 - 0.5) / 0.5).unsqueeze(1), y
    xtr, ytr = load("train")
    xte, yte = load("t10k")
    model = LeNet()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    rates = []
    for _ in range(epochs):
        order = torch.randperm(len(xtr))
        start = time.perf_counter()
        for i in range(0, len(xtr), 64):
            idx_ = order[i:i + 64]
            opt.zero_grad()
            loss = F.cross_entropy(model(xtr[idx_]), ytr[idx_])
            loss.backward()
            opt.step()
        rates.append(len(xtr) / (time.perf_counter() - start))
    with torch.no_grad():
        accuracy = (model(xte).argmax(1) == yte).float().mean().item()
    print(json.dumps({"samples_per_second": rates, "median_samples_per_second": statistics.median(rates),
                      "test_accuracy": accuracy, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
