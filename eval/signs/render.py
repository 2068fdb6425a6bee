#!/usr/bin/env python3
"""Render the synthetic signs of eval/signs/signs.json into eval/signs/.cache/ID.png.

    .venv/bin/python eval/signs/render.py

Each sign is a coloured panel with its text lines centred on it (Noto Sans CJK SC from Debian
`fonts-noto-cjk`), placed on a plain, gradient or noisy photo-like background, optionally rotated a
few degrees. Deterministic: the noise comes from a seeded generator (seed = the sign's id), so the
same Pillow and font give the same pixels. A sign whose PNG already exists is rendered again only
when signs.json or this script changed (stamp file), which keeps re-runs instant.
"""

import hashlib
import json
import random
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = Path(__file__).resolve().parent
SPEC = HERE / "signs.json"
OUT = HERE / ".cache"
STAMP = OUT / ".stamp"
CANVAS = (800, 520)
PAD = 36  # panel padding around the text block, px
LINE_GAP = 0.3  # extra space between lines, as a fraction of the font size


def hex_rgb(s: str) -> tuple[int, int, int]:
    return tuple(int(s[i:i + 2], 16) for i in (1, 3, 5))


def background(kind: str, rng: random.Random) -> Image.Image:
    w, h = CANVAS
    if kind == "plain":
        return Image.new("RGB", CANVAS, (236, 236, 232))
    # A vertical two-colour gradient: a sky/wall-like backdrop.
    top = tuple(rng.randrange(60, 200) for _ in range(3))
    bottom = tuple(rng.randrange(30, 160) for _ in range(3))
    grad = Image.new("RGB", (1, h))
    for y in range(h):
        t = y / (h - 1)
        grad.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom)))
    img = grad.resize(CANVAS)
    if kind == "gradient":
        return img
    # "noise": blurred blobs (out-of-focus scenery) plus per-pixel sensor noise.
    draw = ImageDraw.Draw(img)
    for _ in range(40):
        x, y, r = rng.randrange(w), rng.randrange(h), rng.randrange(20, 120)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    img = img.filter(ImageFilter.GaussianBlur(18))
    # (Uniform noise from the seeded generator: Image.effect_noise uses C rand(), not reproducible.)
    noise = Image.frombytes("RGB", CANVAS, rng.randbytes(w * h * 3))
    return Image.blend(img, noise, 0.1)


def text_block(lines: list[str], font: ImageFont.FreeTypeFont, size: int) -> tuple[int, int, list[tuple]]:
    """Width, height and per-line (text, bbox) of the centred text block."""
    boxes = [font.getbbox(line) for line in lines]
    width = max(b[2] - b[0] for b in boxes)
    height = sum(b[3] - b[1] for b in boxes) + round(LINE_GAP * size) * (len(lines) - 1)
    return width, height, list(zip(lines, boxes))


def render(sign: dict, font_path: str, font_index: int) -> Image.Image:
    rng = random.Random(sign["id"])
    font = ImageFont.truetype(font_path, sign["size"], index=font_index)
    img = background(sign["bg"], rng)
    tw, th, rows = text_block(sign["lines"], font, sign["size"])
    pw, ph = tw + 2 * PAD, th + 2 * PAD
    if pw > CANVAS[0] - 40 or ph > CANVAS[1] - 40:
        raise SystemExit(f"[signs] error: {sign['id']}: text does not fit the {CANVAS} canvas")
    # Panel (with a thin darker border, like a real sign) and text on a transparent layer, so a
    # rotation turns the sign only and the background stays whole.
    layer = Image.new("RGBA", CANVAS, (0, 0, 0, 0))
    x0, y0 = (CANVAS[0] - pw) // 2, (CANVAS[1] - ph) // 2
    panel = hex_rgb(sign["panel"])
    border = tuple(max(0, c - 60) for c in panel)
    draw = ImageDraw.Draw(layer)
    draw.rounded_rectangle((x0, y0, x0 + pw, y0 + ph), radius=18, fill=panel, outline=border, width=4)
    y = y0 + PAD
    for line, (l, t, r, b) in rows:
        x = x0 + (pw - (r - l)) // 2 - l
        draw.text((x, y - t), line, font=font, fill=hex_rgb(sign["ink"]))
        y += (b - t) + round(LINE_GAP * sign["size"])
    if sign.get("rotate"):
        layer = layer.rotate(sign["rotate"], Image.BICUBIC)
    return Image.alpha_composite(img.convert("RGBA"), layer).convert("RGB")


def main() -> int:
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    font_path = spec["font"]
    if not Path(font_path).exists():
        print(f"[signs] error: {font_path} missing (Debian package fonts-noto-cjk)", file=sys.stderr)
        return 1
    stamp = hashlib.sha256(SPEC.read_bytes() + Path(__file__).read_bytes()).hexdigest()
    signs = spec["signs"]
    if STAMP.exists() and STAMP.read_text() == stamp and all((OUT / f"{s['id']}.png").exists() for s in signs):
        print(f"[signs] {len(signs)} signs up to date in {OUT.relative_to(HERE.parents[1])}/")
        return 0
    OUT.mkdir(exist_ok=True)
    for sign in signs:
        img = render(sign, font_path, spec.get("font_index", 0))
        tmp = OUT / f".{sign['id']}.png.tmp"
        img.save(tmp, format="PNG")
        tmp.replace(OUT / f"{sign['id']}.png")
    STAMP.write_text(stamp)
    print(f"[signs] rendered {len(signs)} signs into {OUT.relative_to(HERE.parents[1])}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
