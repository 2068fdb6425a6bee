#!/usr/bin/env python3
"""Reference dequantization of real tensors, by llama.cpp's own `gguf` Python package.

    .venv/bin/python models/reference/dequant_fixture.py [GGUF] > crate/tests/fixtures/gguf_dequant.json

For one tensor of every weight type in the model, a few rows: the first 48 values, the row
sum and sum of squares. crate/tests/gguf_model.rs checks our repacking against these.
"""
import json
import sys

import numpy as np
from gguf import GGUFReader
from gguf.quants import dequantize

path = sys.argv[1] if len(sys.argv) > 1 else "models/dist/qwen2.5-coder-0.5b-instruct-q5_0-tied.gguf"
reader = GGUFReader(path)
seen = set()
cases = []
for t in reader.tensors:
    kind = t.tensor_type.name
    if len(t.shape) != 2 or kind in seen or kind in ("F32", "F16"):
        continue
    seen.add(kind)
    values = dequantize(t.data, t.tensor_type).reshape(-1, int(t.shape[0]))
    rows = [0, 1, values.shape[0] - 1]
    cases.append({
        "tensor": t.name,
        "type": kind,
        "rows": [{
            "row": r,
            "first": [round(float(v), 7) for v in values[r, :48]],
            "sum": float(values[r].astype(np.float64).sum()),
            "sum_sq": float((values[r].astype(np.float64) ** 2).sum()),
        } for r in rows],
    })
json.dump({"source": "gguf (llama.cpp's Python package) dequantize()", "cases": cases}, sys.stdout, indent=1)
print()
