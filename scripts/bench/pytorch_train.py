"""The same architectures as odimo's model zoo, trained the same way in PyTorch (CPU,
channels_last), timed per step; prints JSON with images_per_second.

Used by `odimo bench train --compare-pytorch` so both run interleaved on the same machine.
Usage: pytorch_train.py --model resnet20 --batch 128 --steps 20 [--resolution 32] [--threads 2]
"""
import argparse
import json
import time

import torch
import torch.nn as nn


def conv_bn(cin, cout, k, stride=1, groups=1, relu=True):
    layers = [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)]
    if relu:
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


class Block(nn.Module):
    """A basic block with a 1x1 conv + BN shortcut where the stride or width changes."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = conv_bn(cin, cout, 3, stride)
        self.conv2 = conv_bn(cout, cout, 3, relu=False)
        self.shortcut = conv_bn(cin, cout, 1, stride, relu=False) if stride != 1 or cin != cout else nn.Identity()
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.relu(self.conv2(self.conv1(x)) + self.shortcut(x))


def cifar_resnet(blocks, channels, classes):
    layers = [conv_bn(channels, 16, 3)]
    cin = 16
    for stage, width in enumerate((16, 32, 64)):
        for block in range(blocks):
            layers.append(Block(cin, width, 2 if stage > 0 and block == 0 else 1))
            cin = width
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, classes))


def mobilenet_v1(channels, classes, resolution, width=1.0):
    spec = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]
    scale = lambda c: max(1, int(round(c * width)))
    layers = [conv_bn(channels, scale(32), 3, 1 if resolution <= 64 else 2)]
    cin = scale(32)
    for cout, stride in spec:
        layers += [conv_bn(cin, cin, 3, stride, groups=cin), conv_bn(cin, scale(cout), 1)]
        cin = scale(cout)
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, classes))


def build(name, channels, classes, resolution):
    if name == "resnet8":
        return cifar_resnet(1, channels, classes)
    if name == "resnet20":
        return cifar_resnet(3, channels, classes)
    if name == "mobilenetv1":
        return mobilenet_v1(channels, classes, resolution)
    raise SystemExit(f"unknown model {name}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="resnet20")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--resolution", type=int, default=32)
    parser.add_argument("--channels", type=int, default=3)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = build(args.model, args.channels, args.classes, args.resolution).to(memory_format=torch.channels_last)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.randn(args.batch, args.channels, args.resolution, args.resolution).to(memory_format=torch.channels_last)
    y = torch.randint(0, args.classes, (args.batch,))

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()

    model.train()
    for _ in range(3):
        step()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    train = args.steps * args.batch / (time.perf_counter() - start)
    with torch.no_grad():
        model.eval()
        model(x)
        start = time.perf_counter()
        for _ in range(args.steps):
            model(x)
        forward = args.steps * args.batch / (time.perf_counter() - start)
    print(json.dumps({"images_per_second": train, "forward_images_per_second": forward, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
