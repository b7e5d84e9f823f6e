#!/usr/bin/env bash
# Runs Sapling's GPU smoke checks from a bundle (or a checkout with target/ built): sets the bridge up with
# gpu-setup.sh, then runs `sapling check smoke` (dev.sapling.check.GpuSmoke). Arguments go to the check:
#   scripts/gpu-smoke.sh                 # checks on the GPU
#   scripts/gpu-smoke.sh --bench         # checks, then op overhead, BF16 matMul and 1B-shaped decode timings
#   scripts/gpu-smoke.sh --device cpu    # the same checks with the host's torch on the CPU
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
setup="$("$root/scripts/gpu-setup.sh")"
eval "$setup"
java_bin="java"
[ -x "$root/jre/bin/java" ] && java_bin="$root/jre/bin/java"
command -v "$java_bin" >/dev/null || { echo "gpu-smoke: no Java (build a bundle with scripts/build-bundle.sh)" >&2; exit 1; }
# shellcheck disable=SC2086
exec "$java_bin" ${SAPLING_JAVA_OPTS:--Xmx8g} -cp "$root/target/sapling.jar:$root/target/lib/*" \
  dev.sapling.cli.Main check smoke "$@"
