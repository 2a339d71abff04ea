#!/usr/bin/env python3
"""Training-step speed of Fergan's vgg network in Python PyTorch: the reference for `fergan bench step`.

The same network as src/Fergan.Torch/Classifier/Models/VggNet.cs (four stages of two 3x3 conv without bias + BN +
ReLU, max-pool and dropout; dense 16w without bias + BN + ReLU + dropout; dense 7; input standardised inside), the
same loop as the "libtorch alone" step of TrainingStepBenchmark (one fixed batch on the device: zero_grad, forward,
cross-entropy, backward, SGD step with Nesterov momentum 0.9, weight decay 5e-4, lr 0.02) and the same TF32 settings
as Fergan's CUDA runtime (TF32 on for cuDNN convolutions and for matmuls). Each configuration is timed as the median
of --repeats windows of --steps steps, each window bracketed by torch.cuda.synchronize().

Configurations: fp32, channels-last memory format, bf16 autocast, both, and both with only the input batch in
channels-last ("input": what Fergan's --channels-last does, since TorchSharp 0.107 has no memory-format call for a
module's weights), so each C# mode (`fergan bench step --precision bf16 --channels-last`) has its PyTorch twin.
Prints one JSON object per configuration line, then a summary object. Usage:
  python3 bench/gpu/torch_speed.py [--width 64] [--batch-sizes 256,1024] [--steps 30] [--repeats 5] [--device cuda]
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

PIXEL_MEAN, PIXEL_STD = 0.5075, 0.2536


class VggNet(nn.Module):
    def __init__(self, width=64, classes=7):
        super().__init__()
        layers, in_channels = [], 1
        for stage, channels in enumerate([width, 2 * width, 4 * width, 8 * width]):
            for c_in in (in_channels, channels):
                layers += [nn.Conv2d(c_in, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels), nn.ReLU(inplace=True)]
            layers += [nn.MaxPool2d(2), nn.Dropout2d(0.1 if stage < 2 else 0.2)]
            in_channels = channels
        layers.append(nn.Flatten())
        self.body = nn.Sequential(*layers)
        self.hidden = nn.Sequential(nn.Linear(8 * width * 9, 16 * width, bias=False), nn.BatchNorm1d(16 * width), nn.ReLU(inplace=True))
        self.dropout = nn.Dropout(0.5)
        self.output = nn.Linear(16 * width, classes)

    def forward(self, x):
        return self.output(self.dropout(self.hidden(self.body((x - PIXEL_MEAN) / PIXEL_STD))))


def measure(width, batch, steps, repeats, warmup, device, channels_last, bf16):
    torch.manual_seed(1)
    model = VggNet(width).to(device).train()
    images = torch.rand(batch, 1, 48, 48, device=device)
    labels = torch.randint(0, 7, (batch,), device=device)
    if channels_last:
        if channels_last != "input":  # "input": the batch only, weights as they are (what Fergan's --channels-last does)
            model = model.to(memory_format=torch.channels_last)
        images = images.contiguous(memory_format=torch.channels_last)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9, weight_decay=5e-4, nesterov=True)

    def step():
        optimizer.zero_grad()
        with torch.autocast(device_type=device.split(":")[0], dtype=torch.bfloat16, enabled=bf16):
            loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()

    def sync():
        if device.startswith("cuda"):
            torch.cuda.synchronize()

    for _ in range(warmup):
        step()
    rates = []
    for _ in range(repeats):
        sync()
        start = time.perf_counter()
        for _ in range(steps):
            step()
        sync()
        rates.append(steps * batch / (time.perf_counter() - start))
    return {"framework": "pytorch", "torch": torch.__version__, "width": width, "parameters": sum(p.numel() for p in model.parameters()),
            "batch_size": batch, "channels_last": channels_last, "bf16_autocast": bf16, "device": device,
            "steps": steps, "repeats": repeats, "images_per_second": statistics.median(rates), "windows": rates}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--batch-sizes", default="256,1024")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args()
    torch.backends.cudnn.benchmark = False  # TorchSharp leaves cuDNN's algorithm search off too
    torch.backends.cudnn.allow_tf32 = True
    torch.backends.cuda.matmul.allow_tf32 = True
    results = []
    for batch in [int(b) for b in args.batch_sizes.split(",")]:
        for channels_last, bf16 in [(False, False), (True, False), (False, True), (True, True), ("input", True)]:
            if bf16 and not args.device.startswith("cuda"):
                continue
            try:
                result = measure(args.width, batch, args.steps, args.repeats, args.warmup, args.device, channels_last, bf16)
            except Exception as error:  # one failing configuration (memory, a missing kernel) must not hide the others
                result = {"framework": "pytorch", "batch_size": batch, "channels_last": channels_last, "bf16_autocast": bf16, "error": str(error)}
            print(json.dumps(result), flush=True)
            results.append(result)
    best = max((r for r in results if "images_per_second" in r), key=lambda r: r["images_per_second"], default=None)
    print(json.dumps({"summary": True, "device_name": torch.cuda.get_device_name(0) if args.device.startswith("cuda") else "cpu",
                      "best": best}), flush=True)


if __name__ == "__main__":
    main()
