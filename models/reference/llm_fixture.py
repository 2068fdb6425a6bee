#!/usr/bin/env python3
"""Reference outputs of llama.cpp (PyPI llama-cpp-python) on our tied GGUF.

    .tools/llama-cpp/bin/python models/reference/llm_fixture.py > crate/tests/fixtures/llm_llamacpp.json

For six ChatML prompts (zh, en, mixed; short and ~1,000 tokens): llama.cpp's prompt token
ids, its greedy continuation (48 tokens, explicit argmax of the logits), and — teacher
forced over prompt + continuation — the argmax and the top-1/top-2 logit margin at every
position. crate/tests/llm_llamacpp.rs compares our engine against these.
"""
import json
import sys
from pathlib import Path

import numpy as np
from llama_cpp import Llama

ROOT = Path(__file__).resolve().parents[2]
GGUF = ROOT / "models/dist/qwen2.5-coder-0.5b-instruct-q5_0-tied.gguf"
GENERATE = 48


def chat(user: str) -> str:
    return (
        "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
        f"<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n"
    )


def article(name: str) -> str:
    return json.loads((ROOT / "eval/articles" / f"{name}.json").read_text())["text"]


PROMPTS = [
    ("zh-short", chat("用一句话解释什么是本地运行的人工智能助手。")),
    ("en-short", chat("Explain in two sentences why running a language model inside the browser protects privacy.")),
    ("mixed-short", chat("把这句话翻译成英文：我们在 WebAssembly 里运行 Qwen 模型，速度比以前快了 3 倍。")),
    ("zh-long", chat("请用三句话总结下面这篇文章：\n\n" + article("zh-05"))),
    ("en-long", chat("Summarize the following article in three sentences:\n\n" + article("en-05"))),
    ("mixed-long", chat("Summarize this Chinese article in English, in three bullet points:\n\n" + article("zh-03"))),
]


def main() -> None:
    llm = Llama(model_path=str(GGUF), n_ctx=4096, n_batch=512, n_threads=2, logits_all=True, seed=0, verbose=False)
    eos = {llm.token_eos(), 151643, 151645}
    cases = []
    for name, text in PROMPTS:
        ids = llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)
        llm.reset()
        llm.eval(ids)
        generated = []
        for _ in range(GENERATE):
            tok = int(np.argmax(llm.scores[llm.n_tokens - 1]))
            if tok in eos:
                break
            generated.append(tok)
            llm.eval([tok])
        # Teacher forcing: the logits at position i predict token i + 1.
        scores = np.asarray(llm.scores[: llm.n_tokens], dtype=np.float32)
        top2 = np.sort(scores, axis=1)[:, -2:]
        cases.append({
            "name": name,
            "prompt_ids": ids,
            "generated_ids": generated,
            "argmax": [int(v) for v in scores.argmax(axis=1)],
            "margin": [round(float(v), 4) for v in (top2[:, 1] - top2[:, 0])],
            "last_logits_head": [round(float(v), 4) for v in scores[len(ids) - 1, :16]],
        })
        print(f"{name}: {len(ids)} prompt tokens, {len(generated)} generated", file=sys.stderr)
    json.dump({"source": "llama-cpp-python 0.3.36 (llama.cpp), greedy, 2 threads", "cases": cases}, sys.stdout, separators=(",", ":"))
    print()


if __name__ == "__main__":
    main()
