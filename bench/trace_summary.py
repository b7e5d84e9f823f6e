"""Summarises a PyTorch (Kineto) chrome trace: wall span, GPU busy time, and the costliest CPU ops and kernels.

Usage: python3 bench/trace_summary.py TRACE.json [TOP]
Written for the traces `sapling check smoke --profile` writes (four decode steps), to see whether a step is bound by
the GPU or by the host issuing work.
"""
import collections
import json
import sys


def main(path, top=12):
    with open(path) as f:
        events = json.load(f).get("traceEvents", [])
    spans = [e for e in events if e.get("ph") == "X" and "dur" in e]
    if not spans:
        print(path, ": no complete events")
        return
    start = min(e["ts"] for e in spans)
    end = max(e["ts"] + e["dur"] for e in spans)
    by_cat = collections.defaultdict(list)
    for e in spans:
        by_cat[e.get("cat", "?")].append(e)
    kernels = by_cat.get("kernel", [])
    print(f"{path}: wall {(end - start) / 1000:.2f} ms; GPU kernels {len(kernels)} "
          f"busy {sum(k['dur'] for k in kernels) / 1000:.2f} ms; "
          + "; ".join(f"{c} {len(v)}" for c, v in sorted(by_cat.items())))
    for cat in ("cpu_op", "cuda_runtime", "kernel", "gpu_memcpy"):
        totals = collections.Counter()
        counts = collections.Counter()
        for e in by_cat.get(cat, []):
            totals[e["name"][:70]] += e["dur"]
            counts[e["name"][:70]] += 1
        if totals:
            print(f"  top {cat} by total time (us, count):")
            for name, dur in totals.most_common(top):
                print(f"    {dur:9.0f} {counts[name]:6d}  {name}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 12)
