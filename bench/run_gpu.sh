#!/usr/bin/env bash
# One GPU run of the Sapling-vs-transformers benchmark, from a Sapling bundle root that holds bench/ (docs/bench.md).
#   bench/run_gpu.sh OUT_DIR dry|full [SECONDS_BUDGET]
# dry: a tiny 2-layer model and small shapes (about a minute). full: the Llama-3.2-1B shape (2 timed repeats), then
# the 3B shape (1 timed repeat) if the elapsed time is still under half of SECONDS_BUDGET (default 480). SHAPES=llama-3b
# runs one shape only; HF_COMPILE=1 adds transformers with a static cache and torch.compile.
# Checkpoints go to /tmp/sapling-bench-ckpt.
set -uo pipefail
out="$1"; mode="$2"; budget="${3:-480}"
mkdir -p "$out"
export PYTHONUNBUFFERED=1
start=$SECONDS
ck=/tmp/sapling-bench-ckpt
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$out/gpu.txt"
python3 -c 'import torch, transformers, sys; print(sys.version.split()[0], torch.__version__, transformers.__version__)' \
  > "$out/versions.txt"
t0=$SECONDS; eval "$(scripts/gpu-setup.sh)" || exit 1; echo "bridge setup $((SECONDS - t0)) s" | tee -a "$out/versions.txt"
if [ "$mode" = dry ]; then
  shapes="tiny"; common=(--batches 1,4 --prompt-tokens 8 --new-tokens 16 --repeats 1)
  score=(--score-batch 4 --score-tokens 32)
else
  shapes="${SHAPES:-llama-1b llama-3b}"; common=(--batches 1,32,64 --prompt-tokens 128 --new-tokens 256 --repeats 2)
  score=(--score-batch 32 --score-tokens 512)
fi
ids="$(python3 -c 'import random; r = random.Random(3); print(",".join(str(r.randrange(128256)) for _ in range(16)))')"
for shape in $shapes; do
  if [ "$shape" = llama-3b ]; then
    if [ $((SECONDS - start)) -gt $((budget / 2)) ]; then
      echo "skipping llama-3b: $((SECONDS - start)) s used of $budget" | tee "$out/skipped-3b.txt"; continue
    fi
    common=(--batches 1,32,64 --prompt-tokens 128 --new-tokens 256 --repeats 1)
  fi
  t0=$SECONDS
  python3 bench/hf_bench.py make --shape "$shape" --out "$ck/$shape" --tokenizer bench/tokenizer.json 2>&1 | tee -a "$out/log.txt"
  ./sapling logits --model "$ck/$shape" --ids "$ids" --device gpu > /tmp/sapling-logits.json 2>> "$out/log.txt" \
    && python3 bench/hf_bench.py check --model "$ck/$shape" --sapling-logits /tmp/sapling-logits.json \
         --json "$out/check-$shape.json" 2>&1 | tee -a "$out/log.txt"
  ./sapling bench --model "$ck/$shape" --device gpu "${common[@]}" \
    "${score[@]}" --json > "$out/sapling-$shape.jsonl" 2>> "$out/log.txt" || echo "sapling bench FAILED ($shape)" | tee -a "$out/log.txt"
  python3 bench/hf_bench.py measure --model "$ck/$shape" "${common[@]}" "${score[@]}" ${HF_COMPILE:+--compile} \
    --json "$out/hf-$shape.json" 2>&1 | tee -a "$out/log.txt"
  echo "$shape done in $((SECONDS - t0)) s" | tee -a "$out/log.txt"
  rm -rf "$ck/$shape"
done
python3 bench/table.py "$out" $shapes | tee "$out/table.md"
echo "total $((SECONDS - start)) s"
