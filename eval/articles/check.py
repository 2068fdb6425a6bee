#!/usr/bin/env python3
"""Validate the Qingyu evaluation articles in this folder (stdlib only).

Usage: python3 eval/articles/check.py
Exits non-zero and lists every problem found; prints a summary when all pass.
"""
import collections
import json
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
REQUIRED = ("id", "language", "topic", "split", "title", "text", "key_facts")
LANGUAGES = ("zh", "en")
SPLITS = ("tune", "check")
MIN_CHARS, MAX_CHARS = 300, 3000
MIN_PER_LANGUAGE = 20
MIN_PER_SPLIT_AND_LANGUAGE = 10
CJK = re.compile(r"[\u3400-\u9fff]")


def nonempty_strings(value):
    return isinstance(value, list) and value and all(isinstance(s, str) and s.strip() for s in value)


def check_article(path, errors):
    def err(msg):
        errors.append(f"{path.name}: {msg}")

    try:
        d = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        err(f"invalid JSON: {e}")
        return None
    if not isinstance(d, dict):
        err("top level is not an object")
        return None
    missing = [k for k in REQUIRED if k not in d]
    if missing:
        err(f"missing fields {missing}")
        return None
    for k in ("id", "language", "topic", "split", "title", "text"):
        if not isinstance(d[k], str) or not d[k].strip():
            err(f"field {k!r} must be a non-empty string")
            return None
    if d["id"] != path.stem:
        err(f"id {d['id']!r} does not match file name")
    if d["language"] not in LANGUAGES:
        err(f"language {d['language']!r} not in {LANGUAGES}")
    if not d["id"].startswith(d["language"] + "-"):
        err(f"id {d['id']!r} does not start with language {d['language']!r}")
    if d["split"] not in SPLITS:
        err(f"split {d['split']!r} not in {SPLITS}")
    text = d["text"]
    if not MIN_CHARS <= len(text) <= MAX_CHARS:
        err(f"text length {len(text)} outside [{MIN_CHARS}, {MAX_CHARS}]")
    facts = d["key_facts"]
    if not isinstance(facts, list) or not facts:
        err("key_facts must be a non-empty list")
        return d
    for i, f in enumerate(facts):
        where = f"key_facts[{i}]"
        if not isinstance(f, dict):
            err(f"{where} is not an object")
            continue
        if not isinstance(f.get("fact"), str) or not f["fact"].strip():
            err(f"{where}.fact missing or empty")
        mm = f.get("must_mention")
        if not nonempty_strings(mm):
            err(f"{where}.must_mention must be a non-empty list of strings")
        else:
            for s in mm:
                if s not in text:
                    err(f"{where}.must_mention {s!r} not found verbatim in text")
        cross = f.get("must_mention_cross")
        if not nonempty_strings(cross):
            err(f"{where}.must_mention_cross must be a non-empty list of strings")
        elif d["language"] == "zh":
            # A Chinese article's cross strings are for English summaries.
            for s in cross:
                if CJK.search(s):
                    err(f"{where}.must_mention_cross {s!r} contains Chinese characters")
    return d


def main():
    errors = []
    articles = []
    paths = sorted(HERE.glob("*.json"))
    for path in paths:
        d = check_article(path, errors)
        if d is not None:
            articles.append(d)

    ids = collections.Counter(d.get("id") for d in articles)
    for i, n in ids.items():
        if n > 1:
            errors.append(f"duplicate id {i!r}")

    per_lang = collections.Counter(d["language"] for d in articles)
    per_split = collections.Counter((d["language"], d["split"]) for d in articles)
    for lang in LANGUAGES:
        if per_lang[lang] < MIN_PER_LANGUAGE:
            errors.append(f"only {per_lang[lang]} {lang} articles (need >= {MIN_PER_LANGUAGE})")
        for split in SPLITS:
            n = per_split[(lang, split)]
            if n < MIN_PER_SPLIT_AND_LANGUAGE:
                errors.append(f"only {n} {lang}/{split} articles (need >= {MIN_PER_SPLIT_AND_LANGUAGE})")

    if errors:
        print(f"FAILED: {len(errors)} problem(s)")
        for e in errors:
            print("  " + e)
        return 1

    print(f"OK: {len(articles)} articles, "
          f"{sum(len(d['key_facts']) for d in articles)} key facts")
    for lang in LANGUAGES:
        for split in SPLITS:
            lens = sorted(len(d["text"]) for d in articles
                          if d["language"] == lang and d["split"] == split)
            print(f"  {lang}/{split}: {len(lens)} articles, chars {lens}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
