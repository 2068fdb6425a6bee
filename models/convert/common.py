"""Helpers shared by the converters in this folder (imported as `common`: a script's own folder is
on sys.path when it runs as `python models/convert/NAME.py`).

Every converter follows the same contract with models/fetch.py: read from --src, write only into
--out, each output first to a temp name and os.replace()d into place at the very end, exit status
1 with a one-line "[tag] error: ..." on failure. This module holds that contract; the scripts hold
the conversions. models/fetch.py hashes this file into every product's stamp, so changing it
rebuilds (and re-verifies) all products.
"""

import argparse
import hashlib
import os
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

# Test photos (scikit-image 0.26.0, CC0, see shared/testdata/README.md) and their sha256, the
# same as models/manifest.json's "testdata". The order is the order converters report them in.
TEST_PHOTOS = {
    "coffee.png": "cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7",
    "chelsea.png": "596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb",
    "astronaut.png": "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5",
}
PHOTO_DIR_IN_SRC = "pypi/scikit_image-0.26.0/skimage/data"
PHOTO_DIR_SHARED = Path(__file__).resolve().parents[3] / "shared/testdata/photos"


class ConvertError(Exception):
    """An expected failure (missing or wrong input, failed check): reported in one line, no traceback."""


class Reporter:
    """Prints a converter's progress lines, each prefixed with its tag (e.g. "[ppocr]")."""

    def __init__(self, tag: str):
        self.tag = tag

    def step(self, msg: str) -> None:
        print(f"{self.tag} {msg}", flush=True)  # flush: fetch.py interleaves our output with its own

    def error(self, msg: object) -> None:
        print(f"{self.tag} error: {msg}", file=sys.stderr)


def run(main: Callable[[], str | None], report: Reporter) -> int:
    """Runs a converter's main() and returns the exit status: 0 with a "done in N s" line (plus the
    short summary main() may return), or 1 with the error line when it raised a ConvertError."""
    started = time.monotonic()
    try:
        summary = main()
    except ConvertError as e:
        report.error(e)
        return 1
    report.step(f"done in {time.monotonic() - started:.1f} s" + (f" ({summary})" if summary else ""))
    return 0


def parse_args(doc: str) -> argparse.Namespace:
    """--src (models/.cache/src) and --out (an existing folder), as fetch.py passes them."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--src", required=True, type=Path, help="models/.cache/src")
    parser.add_argument("--out", required=True, type=Path, help="existing (empty) output folder")
    args = parser.parse_args()
    if not args.out.is_dir():
        raise ConvertError(f"output folder {args.out} does not exist")
    return args


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:  # in blocks: the GGUF files are hundreds of MB
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def test_photo(src: Path, name: str) -> Path:
    """A test photo from the unpacked scikit-image wheel, else from the workspace's shared copy;
    only a file with the expected sha256 counts."""
    for folder in (src / PHOTO_DIR_IN_SRC, PHOTO_DIR_SHARED):
        path = folder / name
        if path.is_file() and sha256_file(path) == TEST_PHOTOS[name]:
            return path
    raise ConvertError(f"test photo {name} with sha256 {TEST_PHOTOS[name]} not found in "
                       f"{src / PHOTO_DIR_IN_SRC} or {PHOTO_DIR_SHARED}")


def temp_paths(out_dir: Path, names: Iterable[str]) -> dict[str, Path]:
    """Output name → the hidden temp file it is written to (fetch.py only sees finished files)."""
    return {name: out_dir / f".{name}.tmp" for name in names}


def remove(paths: Iterable[Path]) -> None:
    """Deletes those of paths that exist (cleanup after a run, finished or failed)."""
    for path in paths:
        path.unlink(missing_ok=True)


def commit_outputs(temps: dict[str, Path], out_dir: Path, step: Callable[[str], None]) -> None:
    """Moves every finished temp file to its final name, then logs each file's size and sha256.
    Renames come last so that a failure never leaves a half-written output behind."""
    for name, tmp in temps.items():
        os.replace(tmp, out_dir / name)
    width = max(len(name) for name in temps)
    for name in temps:
        path = out_dir / name
        step(f"  {name:<{width}}  {path.stat().st_size:>11,} bytes  sha256 {sha256_file(path)}")
