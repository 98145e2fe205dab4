"""An ODiMO search epoch in PyTorch (CPU): the equivalent of `odimo search`'s search phase,
timed on the same data, so `odimo bench search --compare-pytorch` can compare the two.

DIANA style (ResNet): every searchable convolution mixes an int8 power-of-two and a ternary
(learnable per-channel scale, TWN threshold) fake-quantized copy of its weights per output
channel with p = softmax(alpha / T); straight-through gradients to the weights.
Darkside style (MobileNetV1): every replaceable block is a standard 3x3 conv branch and a
depthwise 3x3 branch joined by complementary thermometric masks (straight-through step).
The cost term: per searchable layer a smooth max (log-sum-exp, tau = 5 % of the slowest unit)
of per-unit cycles, linear in the soft channel counts with the coefficients odimo passes in
--costs (a JSON list per searchable layer of cycles per channel per unit).
Weights: SGD (momentum 0.9, weight decay 5e-4); logits: Adam. Data: the odimo dataset file
read with h5py, random crop (padding 4, or 2 below 32 px) and horizontal flip per image.
Prints JSON with images_per_second (the whole epoch, data included).
"""
import argparse
import json
import time

import h5py
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def int8_pow2(w):
    levels = 127.0
    largest = w.detach().abs().max().clamp_min(1e-12)
    scale = torch.pow(2.0, torch.ceil(torch.log2(largest / levels)))
    q = torch.clamp(torch.round(w / scale), -levels - 1, levels) * scale
    return w + (q - w).detach()


class MixedConv(nn.Module):
    """Shared weights, two formats mixed per output channel."""

    def __init__(self, cin, cout, k, stride):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride, k // 2, bias=False)
        self.alpha = nn.Parameter(torch.zeros(2, cout))
        with torch.no_grad():
            w = self.conv.weight.view(cout, -1)
            codes = self.codes(w)
            active = (codes != 0).float()
            scale = (w.abs() * active).sum(1) / active.sum(1).clamp_min(1)
        self.scale = nn.Parameter(scale)
        self.temperature = 1.0

    @staticmethod
    def codes(w):
        threshold = 0.7 * w.abs().mean(1, keepdim=True)
        return torch.where(w.abs() > threshold, torch.sign(w), torch.zeros_like(w))

    def forward(self, x):
        w = self.conv.weight
        flat = w.reshape(w.shape[0], -1)
        ternary = flat + (self.codes(flat.detach()) * self.scale[:, None] - flat).detach()
        ternary = ternary + self.codes(flat.detach()) * (self.scale[:, None] - self.scale[:, None].detach())
        p = torch.softmax(self.alpha / self.temperature, 0)
        mixed = p[0][:, None] * int8_pow2(flat) + p[1][:, None] * ternary
        return F.conv2d(x, mixed.reshape(w.shape), None, self.conv.stride, self.conv.padding)

    def soft_counts(self):
        return torch.softmax(self.alpha / self.temperature, 0).sum(1)


def conv_bn(conv, cout, relu=True):
    layers = [conv, nn.BatchNorm2d(cout)]
    if relu:
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = conv_bn(MixedConv(cin, cout, 3, stride), cout)
        self.conv2 = conv_bn(MixedConv(cout, cout, 3, 1), cout, relu=False)
        needs = stride != 1 or cin != cout
        self.shortcut = conv_bn(MixedConv(cin, cout, 1, stride), cout, relu=False) if needs else nn.Identity()

    def forward(self, x):
        return F.relu(self.conv2(self.conv1(x)) + self.shortcut(x))


def resnet(blocks, channels, classes):
    layers = [conv_bn(MixedConv(channels, 16, 3, 1), 16)]
    cin = 16
    for stage, width in enumerate((16, 32, 64)):
        for block in range(blocks):
            layers.append(Block(cin, width, 2 if stage > 0 and block == 0 else 1))
            cin = width
    # The classifier is searchable too (odimo maps it like a 1x1 convolution on the pooled features).
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), MixedConv(64, classes, 1, 1), nn.Flatten())


class Thermometric(torch.autograd.Function):
    @staticmethod
    def forward(ctx, theta):
        return (theta > 0.5).float()

    @staticmethod
    def backward(ctx, grad):
        return grad


class SplitBlock(nn.Module):
    """A replaceable block: standard conv branch for the first k channels, depthwise for the rest."""

    def __init__(self, c):
        super().__init__()
        self.conv = conv_bn(nn.Conv2d(c, c, 3, 1, 1, bias=False), c)
        self.dw = conv_bn(nn.Conv2d(c, c, 3, 1, 1, groups=c, bias=False), c)
        self.alpha = nn.Parameter(torch.ones(c))

    def mask(self):
        theta = torch.flip(torch.cumsum(torch.flip(self.alpha.abs(), [0]), 0), [0])
        return Thermometric.apply(theta)

    def forward(self, x):
        m = self.mask()[None, :, None, None]
        return self.conv(x) * m + self.dw(x) * (1 - m)

    def soft_counts(self):
        m = self.mask()
        return torch.stack([m.sum(), (1 - m).sum()])


def mobilenet(channels, classes, width, stem_stride=1):
    spec = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]
    scale = lambda c: max(1, int(round(c * width)))
    layers = [conv_bn(nn.Conv2d(channels, scale(32), 3, stem_stride, 1, bias=False), scale(32))]
    cin = scale(32)
    for cout, stride in spec:
        if stride == 1 and scale(cout) == cin:
            layers.append(SplitBlock(cin))
        else:
            layers += [
                conv_bn(nn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False), cin),
                conv_bn(nn.Conv2d(cin, scale(cout), 1, bias=False), scale(cout)),
            ]
        cin = scale(cout)
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, classes))


def batches(images, labels, batch, generator):
    n, h, w, c = images.shape
    pad = 4 if h >= 32 else 2
    order = generator.permutation(n)
    for start in range(0, n - batch + 1, batch):
        index = order[start : start + batch]
        x = torch.from_numpy(images[np.sort(index)]).permute(0, 3, 1, 2).float().div_(255)
        padded = F.pad(x, (pad, pad, pad, pad))
        dx, dy = generator.integers(0, 2 * pad + 1, 2)
        x = padded[:, :, dy : dy + h, dx : dx + w]
        flip = torch.from_numpy(generator.random(batch) < 0.5)
        x = torch.where(flip[:, None, None, None], x.flip(3), x)
        yield x.contiguous(memory_format=torch.channels_last), torch.from_numpy(labels[np.sort(index)]).long()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--model", default="resnet20")
    parser.add_argument("--width", type=float, default=1.0)
    parser.add_argument("--stem-stride", type=int, default=1, help="MobileNetV1's first-layer stride")
    parser.add_argument("--limit", type=int, default=10000)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--costs", required=True, help="JSON file: per searchable layer, cycles per channel per unit")
    parser.add_argument("--lam", type=float, default=1.0)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    with h5py.File(args.data, "r") as f:
        images = f["train/images"][: args.limit]
        labels = f["train/labels"][: args.limit]
        classes = int(f.attrs.get("classes", int(labels.max()) + 1))
    channels = images.shape[3]
    if args.model.startswith("resnet"):
        model = resnet({"resnet8": 1, "resnet20": 3}[args.model], channels, classes)
    else:
        model = mobilenet(channels, classes, args.width, args.stem_stride)
    model = model.to(memory_format=torch.channels_last)
    searchable = [m for m in model.modules() if isinstance(m, (MixedConv, SplitBlock))]
    costs = json.load(open(args.costs))
    if len(costs) != len(searchable):
        raise SystemExit(f"--costs has {len(costs)} layers, the PyTorch supernet {len(searchable)}")
    coefficients = [torch.tensor(c, dtype=torch.float32) for c in costs]
    normalizer = sum(float(max(c)) for c in coefficients) or 1.0
    logits = [p for n, p in model.named_parameters() if n.endswith("alpha")]
    weights = [p for n, p in model.named_parameters() if not n.endswith("alpha")]
    sgd = torch.optim.SGD(weights, lr=0.05, momentum=0.9, weight_decay=5e-4)
    adam = torch.optim.Adam(logits, lr=0.05)
    loss_fn = nn.CrossEntropyLoss()
    generator = np.random.default_rng(0)
    model.train()
    seen = 0
    start = time.perf_counter()
    for x, y in batches(images, labels, args.batch, generator):
        sgd.zero_grad(set_to_none=True)
        adam.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        cost = 0.0
        for layer, c in zip(searchable, coefficients):
            cycles = layer.soft_counts() * c
            tau = 0.05 * cycles.detach().max().clamp_min(1e-6)
            cost = cost + tau * torch.logsumexp(cycles / tau, 0)
        (loss + args.lam * cost / normalizer).backward()
        sgd.step()
        adam.step()
        seen += x.shape[0]
    elapsed = time.perf_counter() - start
    print(json.dumps({"images_per_second": seen / elapsed, "images": seen, "seconds": elapsed, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
