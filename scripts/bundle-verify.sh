#!/usr/bin/env bash
# Checks a full bundle (scripts/build-bundle.sh without --lean) against this checkout's build: every feature the
# bundle's cut jars and JRE carry, run with the bundle's own jre/ and target/lib/, must print what target/ prints.
#   ./mvnw -q -DskipTests package && scripts/build-bundle.sh --no-build --out /tmp/b
#   eval "$(scripts/cpu-bridge.sh)"      # a CPU machine: the bundle has no CPU libtorch, the bridge gives one
#   scripts/bundle-verify.sh /tmp/b
# Checks: generate (GGUF model, and a Hugging Face folder through the tokenizers native from a fresh DJL cache),
# ifeval (271 reference responses, language detection included), scripts/bundle-check.jsh (Tablesaw through
# fastutil, Guava, commons-math3, icu4j; charts as SVG/PNG), dsl-examples/*.jsh, and the Jupyter kernel installed
# from the bundle (notebooks/kernel-tour.ipynb and the protocol suite with /usr/bin/python3), and the device checks
# shipped in the bundle (`sapling check fixtures --device cpu --only fixtures,runtime`, whose PASS lines carry timings,
# so it must pass rather than match). Exits non-zero on the first difference or failure.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bundle="$(realpath "${1:?usage: scripts/bundle-verify.sh BUNDLE_DIR}")"
[ -x "$bundle/jre/bin/java" ] && [ -d "$bundle/kernel" ] \
  || { echo "bundle-verify: $bundle is not a full bundle (needs jre/ and kernel/)" >&2; exit 2; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL $*" >&2; exit 1; }
same() { # name, then sapling's arguments: run from this checkout with the bundle's launcher and with ours
  local name="$1"; shift
  (cd "$root" && "$bundle/sapling" "$@") >"$tmp/$name.bundle" 2>"$tmp/$name.bundle.err" \
    || { tail -20 "$tmp/$name.bundle.err" >&2; fail "$name: bundle run failed"; }
  (cd "$root" && "$root/sapling" "$@") >"$tmp/$name.ref" 2>"$tmp/$name.ref.err" \
    || { tail -20 "$tmp/$name.ref.err" >&2; fail "$name: reference run failed"; }
  cmp -s "$tmp/$name.bundle" "$tmp/$name.ref" || { diff "$tmp/$name.ref" "$tmp/$name.bundle" | head -20 >&2; fail "$name: output differs"; }
  echo "PASS $name ($(wc -c <"$tmp/$name.bundle") bytes of identical output)"
}
models="$root/models/stories260K/stories260K.gguf"
hf="$root/src/test/resources/dev/sapling/parity/qwen2-tiny"
same generate-gguf generate --model "$models" --prompt "Once upon a time" --greedy --max-tokens 32 --device cpu
export DJL_CACHE_DIR="$tmp/djl" ENGINE_CACHE_DIR="$tmp/djl"   # the bundle's (stripped) libtokenizers.so is extracted
same generate-hf generate --model "$hf" --prompt "Hello world" --greedy --max-tokens 12 --device cpu
unset DJL_CACHE_DIR ENGINE_CACHE_DIR
responses="$root/src/test/resources/dev/sapling/eval/ifeval/input_response_data_gpt4.jsonl"
for who in bundle root; do
  launcher="$root/sapling"; [ "$who" = bundle ] && launcher="$bundle/sapling"
  "$launcher" ifeval --responses "$responses" --out "$tmp/ifeval-$who" >"$tmp/ifeval-$who.out" 2>&1 \
    || { tail -20 "$tmp/ifeval-$who.out" >&2; fail "ifeval: $who run failed"; }
done
for f in eval_results_strict.jsonl eval_results_loose.jsonl; do
  cmp -s "$tmp/ifeval-bundle/$f" "$tmp/ifeval-root/$f" || fail "ifeval: $f differs"
done
echo "PASS ifeval ($(grep 'prompt-level strict' "$tmp/ifeval-bundle.out"); both result files identical)"
same bundle-check script "$root/scripts/bundle-check.jsh"
for example in "$root"/dsl-examples/*.jsh; do
  same "dsl-$(basename "$example" .jsh)" script "$example"
done
"$bundle/sapling" kernel install --prefix "$tmp/jupyter" >/dev/null
grep -q "\"$bundle/jre/bin/java\"" "$tmp/jupyter/share/jupyter/kernels/sapling/kernel.json" \
  || fail "kernel install: kernel.json does not run the bundle's java"
(cd "$root/src/test/python" && JUPYTER_PATH="$tmp/jupyter/share/jupyter" \
  /usr/bin/python3 -m unittest test_kernel_tour test_sapling_kernel >"$tmp/kernel.log" 2>&1) \
  || { tail -30 "$tmp/kernel.log" >&2; fail "kernel: notebook or protocol tests failed"; }
echo "PASS kernel ($(grep -o 'Ran [0-9]* tests' "$tmp/kernel.log"), the bundle's JRE)"
(cd "$root" && "$bundle/sapling" check fixtures --device cpu --only fixtures,runtime) >"$tmp/check.out" 2>&1 \
  || { tail -20 "$tmp/check.out" >&2; fail "check fixtures: the bundle's run failed"; }
echo "PASS check fixtures ($(grep -c '^PASS ' "$tmp/check.out") checks passed, the bundle's JRE)"
echo "ALL PASS"
