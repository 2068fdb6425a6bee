#!/usr/bin/env python3
"""llama.cpp's native speed on the bench's token ids, through llama-cpp-python (--threads, default one).

    .tools/llama-cpp/bin/python models/reference/llamacpp_bench.py [--gguf PATH]
        [--prompts 64,512,1024] [--decode 32] [--warmup-ms 2000]

Row (d) of `./qy bench llm` (scripts/bench-llm.mjs). Same protocol as our engine's
`bench-llm`: load (n_ctx 2048, n_batch 512, weights read into memory, no mmap), a warm-up of
at least --warmup-ms, then for each prompt length N one prefill of the ids
(i*7919+13) % 150000 from an empty cache (`llm.reset()` + `llm.eval(ids)`), then --decode
greedy single-token steps after a 64-token prompt (argmax of the last logits, `llm.eval([id])`).
Progress goes to stderr; stdout gets one JSON line:
{"engine":"llama.cpp","load_s":..,"prefill_tps":{"64":..},"decode_tps":..,"peak_mib":..,...}
"""
import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
import llama_cpp
from llama_cpp import Llama

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_GGUF = ROOT / "models/dist/qwen2.5-coder-0.5b-instruct-q5_0-tied.gguf"
N_CTX = 2048
N_BATCH = 512
DECODE_PROMPT = 64


def bench_ids(n: int) -> list[int]:
    return [(i * 7919 + 13) % 150000 for i in range(n)]


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # ru_maxrss is KiB on Linux


def argmax_last(llm: Llama) -> int:
    """Greedy pick from the logits of the last token of the last eval (the only ones computed)."""
    logits = np.ctypeslib.as_array(llm._ctx.get_logits_ith(-1), shape=(llm.n_vocab(),))
    return int(np.argmax(logits))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gguf", default=str(DEFAULT_GGUF))
    ap.add_argument("--prompts", default="64,512,1024")
    ap.add_argument("--decode", type=int, default=32)
    ap.add_argument("--warmup-ms", type=float, default=2000)
    ap.add_argument("--threads", type=int, default=1, help="llama.cpp threads for prefill and decode")
    ap.add_argument("--mmap", action="store_true", help="mmap the GGUF instead of reading it (faster load, lazy)")
    args = ap.parse_args()
    prompts = [int(x) for x in args.prompts.split(",") if x.strip()]
    if any(n < 1 or n >= N_CTX for n in prompts) or DECODE_PROMPT + args.decode >= N_CTX:
        sys.exit(f"prompt lengths must be 1..{N_CTX - 1} and 64 + decode < {N_CTX}")

    say(f"llama-cpp-python {llama_cpp.__version__}: loading {args.gguf}")
    t0 = time.perf_counter()
    llm = Llama(
        model_path=args.gguf,
        n_ctx=N_CTX,
        n_batch=N_BATCH,
        n_ubatch=N_BATCH,
        n_threads=args.threads,
        n_threads_batch=args.threads,  # defaults to cpu_count() otherwise
        n_gpu_layers=0,
        use_mmap=args.mmap,
        logits_all=False,
        verbose=False,
    )
    load_s = time.perf_counter() - t0
    say(f"loaded in {load_s:.2f} s (n_threads {llm.context_params.n_threads}, n_threads_batch {llm.context_params.n_threads_batch})")

    t0 = time.perf_counter()
    runs = 0
    while True:
        llm.reset()
        llm.eval(bench_ids(16))
        for _ in range(4):
            llm.eval([argmax_last(llm)])
        runs += 1
        if (time.perf_counter() - t0) * 1000 >= args.warmup_ms:
            break
    say(f"warm-up {runs} x (prefill 16 + decode 4) in {time.perf_counter() - t0:.2f} s")

    prefill_tps, prefill_s = {}, {}
    for n in prompts:
        ids = bench_ids(n)
        llm.reset()
        t0 = time.perf_counter()
        llm.eval(ids)
        s = time.perf_counter() - t0
        prefill_s[str(n)] = round(s, 3)
        prefill_tps[str(n)] = round(n / s, 2)
        say(f"prefill {n} tokens in {s:.2f} s = {n / s:.2f} tok/s")

    llm.reset()
    llm.eval(bench_ids(DECODE_PROMPT))
    first = argmax_last(llm)
    out = []
    tok = first
    t0 = time.perf_counter()
    for _ in range(args.decode):
        llm.eval([tok])
        tok = argmax_last(llm)
        out.append(tok)
    decode_s = time.perf_counter() - t0
    say(f"decode {args.decode} tokens in {decode_s:.2f} s = {args.decode / decode_s:.2f} tok/s")

    print(json.dumps({
        "engine": "llama.cpp",
        "llama_cpp_python": llama_cpp.__version__,
        "threads": {"n_threads": llm.context_params.n_threads, "n_threads_batch": llm.context_params.n_threads_batch},
        "use_mmap": args.mmap,
        "load_s": round(load_s, 3),
        "warmup": {"runs": runs},
        "prefill_tps": prefill_tps,
        "prefill_s": prefill_s,
        "decode_tps": round(args.decode / decode_s, 2),
        "decode_s": round(decode_s, 3),
        "first_token": first,
        "decode_ids": out,
        "peak_mib": round(peak_mib(), 1),
    }))


if __name__ == "__main__":
    main()
