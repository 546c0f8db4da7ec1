"""Reference runs for bench/nn.sh: the ncnn CPU runtime and PyTorch CPU on the
same networks, inputs and thread counts as `rkbench nn forward`.

  nn_reference.py ncnn  STEM INPUT C,H,W IN OUT THREADS REPEATS [SAVE]
      (SAVE: write the output as raw float32 CHW, for comparison)
  nn_reference.py torch STEM INPUT C,H,W THREADS REPEATS [CHECK]
      RRDBNet (Real-ESRGAN x4plus's architecture, basicsr's module) with the
      weights read from the ncnn .bin; CHECK (a raw float32 output of the same
      input) confirms the weights are the same.
  nn_reference.py compare A B
      max and mean |A − B| of two raw float32 outputs.
  nn_reference.py srmd  MODELS WORK SETS SCALES
      ncnn SRMDNF on the low-resolution images `rkbench srmd-quality prepare` wrote.

Each timing prints `ms=… cpu_ms=… peak_mib=…` (best of REPEATS; peak is the
process's maximum resident set).
"""
import os
import resource
import sys
import time

import numpy as np


def peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def report(times):
    wall, cpu = min(t[0] for t in times), min(t[1] for t in times)
    print(f"ms={wall * 1000:.1f} cpu_ms={cpu * 1000:.1f} peak_mib={peak_mib()}", flush=True)


def ncnn_net(stem, threads):
    import ncnn
    net = ncnn.Net()
    o = net.opt
    o.use_vulkan_compute = False
    o.num_threads = threads
    # fp32 throughout, like RestoreKit
    o.use_fp16_packed = o.use_fp16_storage = o.use_fp16_arithmetic = o.use_bf16_storage = False
    net.load_param(stem + ".param")
    net.load_model(stem + ".bin")
    return net


def run_ncnn(net, x, in_blob, out_blob):
    import ncnn
    ex = net.create_extractor()
    ex.input(in_blob, ncnn.Mat(np.ascontiguousarray(x)))
    _, y = ex.extract(out_blob)
    return np.array(y)


def ncnn_timing(stem, path, shape, in_blob, out_blob, threads, repeats, save=None):
    c, h, w = map(int, shape.split(","))
    x = np.fromfile(path, np.float32).reshape(c, h, w)
    net = ncnn_net(stem, int(threads))
    times = []
    for _ in range(int(repeats)):
        t, p = time.perf_counter(), time.process_time()
        y = run_ncnn(net, x, in_blob, out_blob)
        times.append((time.perf_counter() - t, time.process_time() - p))
    if save:
        y.astype(np.float32).tofile(save)
    report(times)


def compare(a, b):
    """Max and mean |a − b| of two raw float32 files."""
    x, y = np.fromfile(a, np.float32), np.fromfile(b, np.float32)
    d = np.abs(x - y) if x.shape == y.shape else np.array([np.inf])
    print(f"max={d.max():.2e} mean={d.mean():.2e}")


def ncnn_weights(stem):
    """(weight, bias) of every Convolution, in file order, from the ncnn .bin."""
    layers = [line.split() for line in open(stem + ".param").read().splitlines()[2:]]
    data, pos, out = open(stem + ".bin", "rb").read(), 0, []
    for fields in layers:
        if fields[0] != "Convolution":
            continue
        params = dict(f.split("=", 1) for f in fields[4 + int(fields[2]) + int(fields[3]):])
        outputs, count = int(params["0"]), int(params["6"])
        tag = int.from_bytes(data[pos:pos + 4], "little")
        pos += 4
        if tag == 0x01306B47:
            weight = np.frombuffer(data, np.float16, count, pos).astype(np.float32)
            pos += (count * 2 + 3) // 4 * 4
        else:
            weight = np.frombuffer(data, np.float32, count, pos).copy()
            pos += count * 4
        bias = np.frombuffer(data, np.float32, outputs, pos).copy()
        pos += outputs * 4
        out.append((weight.reshape(outputs, -1, 3, 3), bias))
    return out


def rrdbnet(weights):
    """basicsr's RRDBNet (num_feat 64, num_block 23, num_grow_ch 32, scale 4)."""
    import torch
    from torch import nn
    import torch.nn.functional as F

    class RDB(nn.Module):
        def __init__(self):
            super().__init__()
            self.convs = nn.ModuleList([nn.Conv2d(64 + 32 * i, 32 if i < 4 else 64, 3, 1, 1) for i in range(5)])

        def forward(self, x):
            feats = [x]
            for i, conv in enumerate(self.convs):
                y = conv(torch.cat(feats, 1))
                if i < 4:
                    feats.append(F.leaky_relu(y, 0.2))
            return y * 0.2 + x

    class RRDB(nn.Module):
        def __init__(self):
            super().__init__()
            self.rdbs = nn.Sequential(RDB(), RDB(), RDB())

        def forward(self, x):
            return self.rdbs(x) * 0.2 + x

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv_first = nn.Conv2d(3, 64, 3, 1, 1)
            self.body = nn.Sequential(*[RRDB() for _ in range(23)])
            self.conv_body = nn.Conv2d(64, 64, 3, 1, 1)
            self.conv_up1 = nn.Conv2d(64, 64, 3, 1, 1)
            self.conv_up2 = nn.Conv2d(64, 64, 3, 1, 1)
            self.conv_hr = nn.Conv2d(64, 64, 3, 1, 1)
            self.conv_last = nn.Conv2d(64, 3, 3, 1, 1)

        def forward(self, x):
            feat = self.conv_first(x)
            feat = feat + self.conv_body(self.body(feat))
            feat = F.leaky_relu(self.conv_up1(F.interpolate(feat, scale_factor=2, mode="nearest")), 0.2)
            feat = F.leaky_relu(self.conv_up2(F.interpolate(feat, scale_factor=2, mode="nearest")), 0.2)
            return self.conv_last(F.leaky_relu(self.conv_hr(feat), 0.2))

    net = Net().eval()
    convs = [m for m in net.modules() if isinstance(m, nn.Conv2d)]
    # Module order (conv_first, body…, conv_body, up1, up2, hr, last) is the .param's order.
    assert len(convs) == len(weights), (len(convs), len(weights))
    with torch.no_grad():
        for conv, (w, b) in zip(convs, weights):
            conv.weight.copy_(torch.from_numpy(w))
            conv.bias.copy_(torch.from_numpy(b))
    return net


def torch_timing(stem, path, shape, threads, repeats, check=None):
    import torch
    torch.set_num_threads(int(threads))
    c, h, w = map(int, shape.split(","))
    x = torch.from_numpy(np.fromfile(path, np.float32).reshape(1, c, h, w))
    net = rrdbnet(ncnn_weights(stem))
    times = []
    with torch.inference_mode():
        for _ in range(int(repeats)):
            t, p = time.perf_counter(), time.process_time()
            y = net(x)
            times.append((time.perf_counter() - t, time.process_time() - p))
    if check:
        reference = np.fromfile(check, np.float32).reshape(y.shape[1:])
        print(f"torch_vs_restorekit_max_diff={np.abs(y[0].numpy() - reference).max():.2e}")
    report(times)


def srmd_outputs(models, work, sets, scales):
    """ncnn SRMDNF on the inputs `rkbench srmd-quality prepare` wrote: NAME-low.png (8-bit) as
    srmd-ncnn-vulkan runs it (12 replicated pixels, output cropped by 12 x scale) to NAME-8bit.png,
    and NAME-low.f32 (the float LR) as SRMD's MATLAB test code does (no padding beyond the
    convolutions' zeros) to NAME-published.png; outputs clamped and rounded to 8 bits."""
    from PIL import Image
    code = [-1.12360956e-08, -1.36899159e-08, 1.85637958e-02, 2.86066886e-08, 3.35292965e-02,
            8.37272935e-08, -2.54424009e-07, -3.16234976e-02, -1.35169253e-02, -1.10466090e-08,
            3.84753793e-02, 3.79465739e-08, -2.44916752e-01, -8.02213490e-01, -5.40549755e-01]

    def forward(net, rgb, pad, scale):
        x = np.pad(rgb, ((0, 0), (pad, pad), (pad, pad)), mode="edge")
        x = np.concatenate([x, np.broadcast_to(np.array(code, np.float32)[:, None, None],
                                               (15,) + x.shape[1:])]).astype(np.float32)
        y = run_ncnn(net, x, "input", "output")
        return y[:, pad * scale:y.shape[1] - pad * scale, pad * scale:y.shape[2] - pad * scale]

    def save(y, gray, path):
        y = np.clip(y, 0, 1)
        out = np.rint(y.mean(0) * 255) if gray else np.rint(y.transpose(1, 2, 0) * 255)
        Image.fromarray(out.astype(np.uint8)).save(path)

    for scale in map(int, scales.split(",")):
        net = ncnn_net(os.path.join(models, f"srmd/srmdnf_x{scale}"), 2)
        for s in sets.split(","):
            folder, target = os.path.join(work, s, f"x{scale}"), os.path.join(work, "ncnn", s, f"x{scale}")
            os.makedirs(target, exist_ok=True)
            for name in sorted(os.listdir(folder)):
                if not name.endswith("-low.png"):
                    continue
                stem = name[:-len("-low.png")]
                image = Image.open(os.path.join(folder, name))
                gray = image.mode == "L"
                rgb = np.asarray(image.convert("RGB"), np.float32).transpose(2, 0, 1) / 255
                save(forward(net, rgb, 12, scale), gray, os.path.join(target, stem + "-8bit.png"))
                planes = np.fromfile(os.path.join(folder, stem + "-low.f32"), np.float32)
                planes = planes.reshape(-1, image.height, image.width)
                rgb = np.repeat(planes, 3, axis=0) if gray else planes
                save(forward(net, rgb, 0, scale), gray, os.path.join(target, stem + "-published.png"))


command, args = sys.argv[1], sys.argv[2:]
{"ncnn": ncnn_timing, "torch": torch_timing, "srmd": srmd_outputs, "compare": compare}[command](*args)
