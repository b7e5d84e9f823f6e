#!/usr/bin/env python3
"""Prints the Sapling-vs-transformers table from one shape's results (bench/run_gpu.sh writes them).

  python3 bench/table.py RESULTS_DIR llama-1b [llama-3b ...]

Reads RESULTS_DIR/hf-SHAPE.json (bench/hf_bench.py measure), RESULTS_DIR/sapling-SHAPE.jsonl (sapling bench --json)
and RESULTS_DIR/check-SHAPE.json (bench/hf_bench.py check). Decode step time is a sampling run's wall time divided by
its new tokens (prefill included); the bandwidth fraction is weight bytes / copy bandwidth over that step time.
"""
import json
import os
import sys


def main():
    d = sys.argv[1]
    for shape in sys.argv[2:]:
        hf_path = os.path.join(d, f"hf-{shape}.json")
        sap_path = os.path.join(d, f"sapling-{shape}.jsonl")
        if not (os.path.exists(hf_path) and os.path.exists(sap_path)):
            print(f"\n{shape}: results missing ({hf_path}, {sap_path})")
            continue
        hf = json.load(open(hf_path))
        sap = [json.loads(l) for l in open(sap_path) if l.startswith("{")]
        chk_path = os.path.join(d, f"check-{shape}.json")
        chk = json.load(open(chk_path)) if os.path.exists(chk_path) else None
        print(f"\n### {shape}: {hf['parameters'] / 1e6:.0f}M parameters, BF16, {hf['gpu']}, torch {hf['torch']}, "
              f"transformers {hf['transformers']}")
        if chk:
            print(f"correctness (last-position logits, Sapling GPU vs transformers): rel L2 {chk['rel_l2']:.4f}, "
                  f"max abs diff {chk['max_abs_diff']:.4f} of range {chk['logit_range']:.3f}, argmax equal "
                  f"{chk['argmax_equal']}, top-10 overlap {chk['top10_overlap']:.1f}, ok {chk['ok']}")
        print("\n| task | batch | Sapling tokens/s | HF eager tokens/s | Sapling/HF | HF static+compile tokens/s |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        by = {(r["task"], r["mode"], r["batch"]): r for r in hf["results"]}
        for s in sap:
            h = by.get((s["task"], "eager", s["batch"]))
            c = by.get((s["task"], "static+compile", s["batch"]))
            ratio = f"{s['tokens_per_s'] / h['tokens_per_s']:.2f}" if h else "-"
            print(f"| {s['task']} | {s['batch']} | {s['tokens_per_s']:.1f} | "
                  f"{h['tokens_per_s']:.1f} | {ratio} | {c['tokens_per_s']:.1f} |" if h and c else
                  f"| {s['task']} | {s['batch']} | {s['tokens_per_s']:.1f} | "
                  f"{h['tokens_per_s'] if h else float('nan'):.1f} | {ratio} | - |")
        bw = hf["copy_bandwidth_bytes_per_s"]
        floor = hf["weight_bytes"] / bw
        print(f"\ncopy bandwidth {bw / 1e12:.2f} TB/s; weights {hf['weight_bytes'] / 1e9:.2f} GB -> "
              f"bandwidth floor {floor * 1e3:.2f} ms per batch-1 decode step")
        n = hf["new_tokens"]
        for name, rows in (("Sapling", [s for s in sap if s["task"] == "sample" and s["batch"] == 1]),
                           ("HF eager", [r for r in hf["results"] if r["task"] == "sample" and r["batch"] == 1
                                         and r["mode"] == "eager"]),
                           ("HF static+compile", [r for r in hf["results"] if r["task"] == "sample"
                                                  and r["batch"] == 1 and r["mode"] == "static+compile"])):
            if rows:
                step = rows[0]["seconds"] / n
                print(f"- {name}: batch-1 step {step * 1e3:.2f} ms = {100 * floor / step:.1f}% of the bandwidth ceiling")


if __name__ == "__main__":
    main()
