#!/usr/bin/env python3
"""Classifier test-time augmentation (issue 13, item 3), measured before it is shipped.

    .venv/bin/python eval/photos/classifier_tta.py [--split tune|check] [--caption-json target/bench/caption.json]

Runs the shipped EfficientNet-Lite0 graph (models/dist/efficientnet-lite0.onnx, onnxruntime) on
each photo of the split as the captioner feeds it (the whole photo squashed to 224 px, (x - 127.5) /
127.5) and on other views of it: the mirror image and centre crops keeping 80 % and 90 % of each
side. Prints, per way of averaging the views' probabilities, how often the top-1 label is right
(its name or concept matches accept + present, as classifier_variants.py and calibrate.mjs count
it) and how often the top-5 labels name an accept word (as the bench's hit counts labels).

With --caption-json (a native `node scripts/bench-caption.mjs --engines native --no-full --split S`
run's output), it also lists every hedged ("possibly") tag the classifier named alone with its
concept's summed top-20 score in each view, right or wrong: whether a wrong guess is less stable
across views than a right one, i.e. whether agreement between views could tell them apart.

Resizing is Pillow's bilinear, not the crate's (image's Triangle filter), so single scores differ
from the captioner's in the second decimal; nothing here is shipped.
"""

import argparse
import json
import re
from pathlib import Path

import numpy as np
import onnxruntime as ort
from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parents[2]
SIDE = 224
TOP_CONCEPTS = 20  # the captioner sums its top-20 labels per concept (caption/captioner.rs)
STRATEGIES = {
    "original": ["original"],
    "original + mirror": ["original", "mirror"],
    "original + mirror + crop 80 %": ["original", "mirror", "crop80"],
    "original + mirror + crop 90 %": ["original", "mirror", "crop90"],
}


def centre_crop(im: Image.Image, keep: float) -> Image.Image:
    w, h = im.size
    mx, my = w * (1 - keep) / 2, h * (1 - keep) / 2
    return im.crop((int(mx), int(my), int(w - mx), int(h - my)))


def views(im: Image.Image) -> dict:
    return {"original": im, "mirror": ImageOps.mirror(im), "crop80": centre_crop(im, 0.8), "crop90": centre_crop(im, 0.9)}


def names_right(names, photo, accept_only=False) -> bool:
    """eval/photos/match.mjs's word rule (groups aside)."""
    words = [w.lower() for w in photo["accept"] + ([] if accept_only else photo.get("present", []))]
    for n in (n.lower().replace("_", " ") for n in names if n):
        for w in words:
            if re.search(r"(^|[^a-z])" + re.escape(w) + r"(s|es)?($|[^a-z])", n) or w == n or w.endswith(" " + n):
                return True
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="tune", choices=["tune", "check"])
    ap.add_argument("--caption-json", type=Path)
    args = ap.parse_args()

    labels = {}
    for line in (ROOT / "crate/src/vision/labels/imagenet.tsv").read_text().splitlines()[1:]:
        index, en, _zh, concept = line.split("\t")
        labels[int(index)] = (en, concept)
    session = ort.InferenceSession(str(ROOT / "models/dist/efficientnet-lite0.onnx"))
    input_name = session.get_inputs()[0].name

    def probabilities(im: Image.Image) -> np.ndarray:
        pixels = np.asarray(im.resize((SIDE, SIDE), Image.BILINEAR), dtype=np.float32)
        logits = session.run(None, {input_name: ((pixels - 127.5) / 127.5).transpose(2, 0, 1)[None]})[0][0]
        e = np.exp(logits - logits.max())
        return e / e.sum()

    def concept_sums(p: np.ndarray) -> dict:
        sums = {}
        for i in np.argsort(-p)[:TOP_CONCEPTS]:
            concept = labels[int(i)][1]
            sums[concept] = sums.get(concept, 0.0) + float(p[i])
        return sums

    groups = {line.split("\t")[0] for line in (ROOT / "crate/src/vision/labels/groups.tsv").read_text().splitlines()[1:] if line}
    photos = [p for p in json.loads((ROOT / "eval/photos/manifest.json").read_text())["photos"] if p["split"] == args.split]
    top1 = {k: 0 for k in STRATEGIES}
    top5 = {k: 0 for k in STRATEGIES}
    sums = {}
    for photo in photos:
        im = ImageOps.exif_transpose(Image.open(ROOT / "eval/photos/.cache" / photo["file"])).convert("RGB")
        probs = {name: probabilities(v) for name, v in views(im).items()}
        sums[photo["file"]] = {name: concept_sums(p) for name, p in probs.items()}
        for strategy, used in STRATEGIES.items():
            p = sum(probs[v] for v in used) / len(used)
            top1[strategy] += names_right(list(labels[int(np.argmax(p))]), photo)
            top5[strategy] += names_right([labels[int(i)][0] for i in np.argsort(-p)[:5]], photo, accept_only=True)

    n = len(photos)
    print(f"{args.split}: {n} photos; probabilities averaged over the views named")
    print(f"{'views':34} {'top-1 label right':>18} {'top-5 name an accept word':>26}")
    for strategy in STRATEGIES:
        print(f"{strategy:34} {top1[strategy]:>9}/{n} = {100 * top1[strategy] / n:3.0f}% {top5[strategy]:>14}/{n} = {100 * top5[strategy] / n:3.0f}%")

    if args.caption_json:
        items = {x["file"]: x for x in json.loads(args.caption_json.read_text())["results"]["a"]["items"]}
        print("\nhedged classifier-only tags (concept's summed top-20 score per view):")
        for photo in photos:
            item = items.get(photo["file"])
            for tag in item["tags"] if item else []:
                # Boxed tags have an area; groups and the landscape are sums no single concept has.
                by_view = {v: s.get(tag["concept"]) for v, s in sums[photo["file"]].items()}
                if tag["level"] == "sure" or tag["area"] > 0 or tag["concept"] in groups or by_view["original"] is None:
                    continue
                verdict = "right" if names_right([tag["name"], tag["concept"]], photo) else "WRONG"
                cells = " ".join(f"{v}={s or 0:.2f}" for v, s in by_view.items())
                print(f"  {verdict:5} {photo['file']:32} {tag['concept']:18} {cells}")


if __name__ == "__main__":
    main()
