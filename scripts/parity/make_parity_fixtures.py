#!/usr/bin/env python3
"""Reference logits and token ids for Sapling's parity tests, computed with Hugging Face transformers/tokenizers.

Usage: python3 make_parity_fixtures.py STORIES_HF_DIR OUT_DIR

STORIES_HF_DIR is `./sapling convert models/stories260K/stories260K.gguf DIR` output. The script
1. loads it with transformers and records float64 reference logits for a fixed id sequence;
2. builds two tiny random-init checkpoints deterministically (torch.manual_seed): a Qwen2-style one (q/k/v bias,
   tied embeddings) and a Llama-3-style one (GQA, rope_scaling llama3), saves them as safetensors with the stories
   tokenizer.json, and records their reference logits;
3. encodes a list of strings with the `tokenizers` library from the converted tokenizer.json.
References are computed on the CPU in float64, so they are exact to well below Sapling's 1e-4 F32 tolerance.
"""
import json
import os
import shutil
import sys

import tokenizers
import torch
import transformers
from transformers import AutoModelForCausalLM, LlamaConfig, Qwen2Config

IDS = [1, 403, 407, 261, 378, 303, 308, 323, 270, 411, 285, 264, 278, 263, 480, 289, 305, 17, 371, 295, 313, 446, 268, 46]
STRINGS = ["Once upon a time", "Hello, world!", " leading space", "trailing space ", "  two  spaces  ",
           "line one\nline two\n\nend", "tab\there", "Ünïcödé façade naïve", "日本語のテキスト", "Привет мир",
           "emoji 🙂🚀 and 👩‍👩‍👧", "", " ", "\n", "a <b> c", "The End.", "<s> literal specials </s>"]


def reference_logits(model_dir):
    model = AutoModelForCausalLM.from_pretrained(model_dir, torch_dtype=torch.float64, attn_implementation="eager")
    model.eval()
    with torch.no_grad():
        out = model(torch.tensor([IDS])).logits[0]
    return {"ids": IDS, "logits": [[float(x) for x in row] for row in out.tolist()]}


def tiny(kind, out_dir, tokenizer_json):
    torch.manual_seed(1234 if kind == "qwen2" else 5678)
    common = dict(vocab_size=512, hidden_size=64, intermediate_size=96, num_hidden_layers=2, num_attention_heads=4,
                  num_key_value_heads=2, max_position_embeddings=256, rms_norm_eps=1e-6, bos_token_id=1,
                  eos_token_id=2)
    if kind == "qwen2":
        config = Qwen2Config(**common, tie_word_embeddings=True, rope_theta=10000.0, use_sliding_window=False)
    else:
        config = LlamaConfig(**common, tie_word_embeddings=False, rope_theta=500000.0,
                             rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                           "high_freq_factor": 4.0, "original_max_position_embeddings": 16})
    model = AutoModelForCausalLM.from_config(config, torch_dtype=torch.float32)
    with torch.no_grad():  # default init is tiny (std 0.02); widen so differences are not hidden in near-zero logits
        for name, p in model.named_parameters():
            if "norm" in name:
                p.copy_(1.0 + 0.1 * torch.randn_like(p))
            else:
                p.copy_(0.2 * torch.randn_like(p))
    model.save_pretrained(out_dir, safe_serialization=True)
    shutil.copy(tokenizer_json, os.path.join(out_dir, "tokenizer.json"))
    return reference_logits(out_dir)


def main():
    stories_dir, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    versions = {"torch": torch.__version__, "transformers": transformers.__version__,
                "tokenizers": tokenizers.__version__}
    fixtures = {"versions": versions}
    with open(os.path.join(out, "stories260K-hf.logits.json"), "w") as f:
        json.dump(reference_logits(stories_dir), f)
    for kind in ("qwen2", "llama3"):
        model_dir = os.path.join(out, kind + "-tiny")
        logits = tiny(kind, model_dir, os.path.join(stories_dir, "tokenizer.json"))
        with open(os.path.join(out, kind + "-tiny.logits.json"), "w") as f:
            json.dump(logits, f)
    tok = tokenizers.Tokenizer.from_file(os.path.join(stories_dir, "tokenizer.json"))
    encoded = []
    for s in STRINGS:
        ids = tok.encode(s, add_special_tokens=False).ids
        encoded.append({"text": s, "ids": ids, "decoded": tok.decode(ids, skip_special_tokens=True)})
    fixtures["tokenizer"] = encoded
    with open(os.path.join(out, "tokenizers-python.json"), "w") as f:
        json.dump(fixtures, f, ensure_ascii=False, indent=1)
    print(json.dumps(versions))


if __name__ == "__main__":
    main()
