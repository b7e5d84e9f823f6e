#!/usr/bin/env python3
"""Hugging Face side of the Sapling-vs-transformers benchmark (docs/bench.md; bench/run_gpu.sh runs both sides).

Subcommands:
  make     write a deterministic random-init BF16 Llama checkpoint (save_pretrained, safetensors) + tokenizer.json
  measure  transformers throughput on that checkpoint: sampling (EOS off) at several batches, teacher-forced
           scoring at one shape, device copy bandwidth and the batch-1 decode fraction of the bandwidth ceiling
  check    compare Sapling's `logits` output with transformers' on the same ids (correctness before speed)

Example:
  python3 bench/hf_bench.py make --shape llama-1b --out /tmp/ckpt/llama-1b --tokenizer bench/tokenizer.json
  python3 bench/hf_bench.py measure --model /tmp/ckpt/llama-1b --batches 1,32,64 --prompt-tokens 128 \
      --new-tokens 256 --score-batch 32 --score-tokens 512 --repeats 2 --json hf.json
"""
import argparse
import inspect
import json
import os
import shutil
import sys
import time

import torch
import transformers
from transformers import AutoModelForCausalLM, LlamaConfig, LlamaForCausalLM

LLAMA3_ROPE = {"rope_type": "llama3", "factor": 32.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
               "original_max_position_embeddings": 8192}

# name -> (hidden, layers, heads, kv heads, intermediate, vocab)
SHAPES = {
    "tiny": (256, 2, 8, 2, 512, 128256),              # dry run only
    "llama-1b": (2048, 16, 32, 8, 8192, 128256),      # Llama-3.2-1B's shape
    "llama-3b": (3072, 28, 24, 8, 8192, 128256),      # Llama-3.2-3B's shape
}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def config_for(shape):
    hidden, layers, heads, kv, inter, vocab = SHAPES[shape]
    kw = dict(vocab_size=vocab, hidden_size=hidden, intermediate_size=inter, num_hidden_layers=layers,
              num_attention_heads=heads, num_key_value_heads=kv, head_dim=hidden // heads,
              max_position_embeddings=131072, rms_norm_eps=1e-5, tie_word_embeddings=True,
              bos_token_id=1, eos_token_id=2, attention_bias=False, mlp_bias=False)
    if "rope_parameters" in inspect.signature(LlamaConfig.__init__).parameters:  # transformers >= 5
        kw["rope_parameters"] = dict(LLAMA3_ROPE, rope_theta=500000.0)
    else:
        kw["rope_theta"] = 500000.0
        kw["rope_scaling"] = dict(LLAMA3_ROPE)
    return LlamaConfig(**kw)


def make(a):
    torch.manual_seed(a.seed)
    cfg = config_for(a.shape)
    t0 = time.time()
    with torch.device("cuda" if torch.cuda.is_available() else "cpu"):
        model = LlamaForCausalLM(cfg).to(torch.bfloat16)
    os.makedirs(a.out, exist_ok=True)
    try:
        model.save_pretrained(a.out, safe_serialization=True, max_shard_size="50GB")
    except TypeError:  # transformers versions without safe_serialization always write safetensors
        model.save_pretrained(a.out, max_shard_size="50GB")
    shutil.copy(a.tokenizer, os.path.join(a.out, "tokenizer.json"))
    params = sum(p.numel() for p in model.parameters())
    log(f"make: {a.shape} {params / 1e6:.1f}M parameters -> {a.out} in {time.time() - t0:.1f} s")


def sync():
    torch.cuda.synchronize()


def timed(fn, repeats):
    """One untimed warm-up (its seconds logged: compilation shows there), then the run at index repeats // 2 of the
    sorted wall times (Sapling's rule)."""
    t0 = time.perf_counter()
    fn()
    sync()
    log(f"warm-up {time.perf_counter() - t0:.1f} s")
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t0)
    return sorted(times)[repeats // 2], times


def copy_bandwidth():
    n = 1 << 29  # 1 GiB of BF16
    x = torch.empty(n, dtype=torch.bfloat16, device="cuda").normal_()
    y = torch.empty_like(x)
    for _ in range(3):
        y.copy_(x)
    sync()
    reps = 20
    t0 = time.perf_counter()
    for _ in range(reps):
        y.copy_(x)
    sync()
    dt = time.perf_counter() - t0
    del x, y
    return 2 * (n * 2) * reps / dt  # bytes read + written per second


def random_ids(rows, length, vocab, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, vocab, (rows, length), generator=g)


def measure(a):
    dev = "cuda"
    model = AutoModelForCausalLM.from_pretrained(a.model, dtype=torch.bfloat16).to(dev).eval()
    vocab = model.config.vocab_size
    gc = model.generation_config
    gc.eos_token_id = None  # EOS off: every row runs the full length
    gc.pad_token_id = 0
    weight_bytes = sum(p.numel() * p.element_size() for p in model.parameters())  # tied embedding counted once
    results = []
    batches = [int(b) for b in a.batches.split(",")]
    modes = ["eager"] + (["static+compile"] if a.compile else [])
    for mode in modes:
        for b in batches:
            ids = random_ids(b, a.prompt_tokens, vocab, 1).to(dev)
            mask = torch.ones_like(ids)
            kw = dict(do_sample=True, temperature=1.0, top_k=0, top_p=1.0, max_new_tokens=a.new_tokens,
                      min_new_tokens=a.new_tokens, attention_mask=mask)
            if mode != "eager":
                kw["cache_implementation"] = "static"

            def run():
                with torch.inference_mode():
                    out = model.generate(ids, **kw)
                assert out.shape == (b, a.prompt_tokens + a.new_tokens), out.shape
            sec, all_s = timed(run, a.repeats)
            r = dict(task="sample", mode=mode, batch=b, tokens=b * a.new_tokens, seconds=sec, runs=all_s,
                     tokens_per_s=b * a.new_tokens / sec)
            log(f"hf {mode} sample batch {b}: {r['tokens_per_s']:.1f} tokens/s ({sec:.3f} s)")
            results.append(r)
            torch.cuda.empty_cache()
    # scoring: teacher-forced log-probs of tokens 1..L-1 of B rows of L random ids
    ids = random_ids(a.score_batch, a.score_tokens, vocab, 2).to(dev)

    def score():
        with torch.inference_mode():
            logits = model(ids, use_cache=False).logits[:, :-1]
            lp = torch.log_softmax(logits.float(), dim=-1).gather(-1, ids[:, 1:, None]).squeeze(-1)
            return lp.sum(-1).cpu()
    sec, all_s = timed(score, a.repeats)
    n = a.score_batch * (a.score_tokens - 1)
    results.append(dict(task="score", mode="eager", batch=a.score_batch, tokens=n, seconds=sec, runs=all_s,
                        tokens_per_s=n / sec))
    log(f"hf score batch {a.score_batch} x {a.score_tokens}: {n / sec:.1f} tokens/s")
    torch.cuda.empty_cache()
    bw = copy_bandwidth()
    log(f"copy bandwidth {bw / 1e12:.3f} TB/s, weights {weight_bytes / 1e9:.3f} GB")
    report = dict(model=a.model, parameters=sum(p.numel() for p in model.parameters()), weight_bytes=weight_bytes,
                  copy_bandwidth_bytes_per_s=bw, prompt_tokens=a.prompt_tokens, new_tokens=a.new_tokens,
                  gpu=torch.cuda.get_device_name(0), torch=torch.__version__, transformers=transformers.__version__,
                  results=results)
    with open(a.json, "w") as f:
        json.dump(report, f, indent=1)


def check(a):
    """Sapling's last-position logits (from `sapling logits --json`) against transformers' on the same ids."""
    with open(a.sapling_logits) as f:
        s = json.load(f)
    ids = torch.tensor([s["ids"]], device="cuda")
    sap = torch.tensor(s["logits"][-1], dtype=torch.float32)
    model = AutoModelForCausalLM.from_pretrained(a.model, dtype=torch.bfloat16).to("cuda").eval()
    with torch.inference_mode():
        hf = model(ids).logits[0, -1].float().cpu()
    rng = (hf.max() - hf.min()).item()
    top_s = set(torch.topk(sap, 10).indices.tolist())
    top_h = set(torch.topk(hf, 10).indices.tolist())
    out = dict(max_abs_diff=(sap - hf).abs().max().item(), logit_range=rng,
               rel_l2=((sap - hf).norm() / hf.norm()).item(), argmax_equal=int(sap.argmax()) == int(hf.argmax()),
               top10_overlap=len(top_s & top_h) / 10)
    out["ok"] = out["rel_l2"] < 0.05 and out["max_abs_diff"] < 0.1 * rng
    log("check:", json.dumps(out))
    with open(a.json, "w") as f:
        json.dump(out, f, indent=1)
    if not out["ok"]:
        sys.exit(1)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument("--shape", choices=sorted(SHAPES), required=True)
    m.add_argument("--out", required=True)
    m.add_argument("--tokenizer", required=True)
    m.add_argument("--seed", type=int, default=0)
    r = sub.add_parser("measure")
    r.add_argument("--model", required=True)
    r.add_argument("--batches", default="1,32,64")
    r.add_argument("--prompt-tokens", type=int, default=128)
    r.add_argument("--new-tokens", type=int, default=256)
    r.add_argument("--score-batch", type=int, default=32)
    r.add_argument("--score-tokens", type=int, default=512)
    r.add_argument("--repeats", type=int, default=2)
    r.add_argument("--compile", action="store_true", help="also static cache + torch.compile")
    r.add_argument("--json", required=True)
    c = sub.add_parser("check")
    c.add_argument("--model", required=True)
    c.add_argument("--sapling-logits", required=True)
    c.add_argument("--json", required=True)
    a = p.parse_args()
    {"make": make, "measure": measure, "check": check}[a.cmd](a)


if __name__ == "__main__":
    main()
