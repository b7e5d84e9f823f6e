#!/usr/bin/env bash
# Builds Sapling's JNI bridge on a machine without a GPU, against Debian's CPU libtorch (package libtorch-dev,
# PyTorch 1.13), so the bridge's natives (FusedOps and friends) can be tested on the CPU here and in CI:
#   eval "$(scripts/cpu-bridge.sh)"      # then: ./mvnw -o test -Dtest=FusedOpsTest
# Optional argument: the build folder (default target/cpu-bridge). Rebuilds only what changed. Only `export` lines go
# to stdout; progress and errors go to stderr. The GPU path uses scripts/gpu-setup.sh against the host's own torch.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(realpath -m "${1:-$here/target/cpu-bridge}")"   # absolute: the exports and the library links use it
log() { echo "cpu-bridge: $*" >&2; }
torch_lib=/usr/lib/x86_64-linux-gnu
[ -f "$torch_lib/libtorch_cpu.so" ] && [ -f /usr/include/torch/script.h ] \
  || { log "Debian's libtorch-dev is not installed (apt-get install libtorch-dev)"; exit 1; }
java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"
[ -f "$java_home/include/jni.h" ] || { log "jni.h not found under $java_home/include; set JAVA_HOME to a JDK"; exit 1; }
mkdir -p "$out/lib"
if [ ! -f "$out/build/build.ninja" ]; then
  cmake -S "$here/src/main/native" -B "$out/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DBRIDGE_JNI_INCLUDE="$java_home/include;$java_home/include/linux" >"$out/cmake.log" 2>&1 \
    || { tail -20 "$out/cmake.log" >&2; log "cmake failed (log: $out/cmake.log)"; exit 1; }
fi
start=$(date +%s)
cmake --build "$out/build" >"$out/build.log" 2>&1 \
  || { grep -m 20 -A 3 'error' "$out/build.log" >&2; log "build failed (log: $out/build.log)"; exit 1; }
log "bridge ready in $(( $(date +%s) - start )) s: $out/lib"
# DJL loads libtorch and the JNI library from one folder.
for f in libc10.so libtorch.so libtorch_cpu.so libtorch_global_deps.so; do
  ln -sf "$torch_lib/$f" "$out/lib/$f"
done
ln -sf "$out/build/libdjl_torch.so" "$out/lib/libdjl_torch.so"
cat <<OUT
export PYTORCH_LIBRARY_PATH="$out/lib"
export PYTORCH_VERSION=2.7.1
export PYTORCH_FLAVOR=cpu
export DJL_OFFLINE=true
OUT
