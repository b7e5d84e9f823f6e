#!/usr/bin/env python3
"""Writes stories260K-vocab.json: the tokenizer arrays of models/stories260K/stories260K.gguf.

Standard library only; reads just the GGUF v3 metadata key/values (no tensors).
Run from the repository root:
    python3 src/test/resources/dev/sapling/model/tokenizer/make_stories260K_vocab.py
"""
import hashlib
import json
import struct
import sys

GGUF = "models/stories260K/stories260K.gguf"
OUT = "src/test/resources/dev/sapling/model/tokenizer/stories260K-vocab.json"
SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}


def main():
    with open(GGUF, "rb") as f:
        def read(fmt):
            return struct.unpack("<" + fmt, f.read(struct.calcsize(fmt)))[0]

        def string():
            return f.read(read("Q")).decode("utf-8")

        def value(kind):
            if kind in SCALARS:
                return read(SCALARS[kind])
            if kind == 8:
                return string()
            if kind == 9:
                elem, n = read("I"), read("Q")
                return [value(elem) for _ in range(n)]
            sys.exit(f"{GGUF}: unknown GGUF value type {kind}")

        if f.read(4) != b"GGUF":
            sys.exit(f"{GGUF}: not a GGUF file")
        version, _tensors, kvs = read("I"), read("Q"), read("Q")
        meta = {}
        for _ in range(kvs):
            key = string()
            meta[key] = value(read("I"))
    with open(GGUF, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    fixture = {
        "provenance": f"tokenizer.ggml.* arrays of {GGUF} (GGUF v{version}, sha256 {digest}), "
                      "written by make_stories260K_vocab.py beside this file. "
                      "The file has no tokenizer.ggml.add_space_prefix key, so GGUF's default (true) applies.",
        "model": meta["tokenizer.ggml.model"],
        "tokens": meta["tokenizer.ggml.tokens"],
        "scores": meta["tokenizer.ggml.scores"],
        "token_types": meta["tokenizer.ggml.token_type"],
        "unk_id": meta["tokenizer.ggml.unknown_token_id"],
        "bos_id": meta["tokenizer.ggml.bos_token_id"],
        "eos_id": meta["tokenizer.ggml.eos_token_id"],
        "add_space_prefix": meta.get("tokenizer.ggml.add_space_prefix", True),
    }
    with open(OUT, "w", encoding="utf-8") as out:
        json.dump(fixture, out, ensure_ascii=False, indent=0)
        out.write("\n")


if __name__ == "__main__":
    main()
