#!/usr/bin/env bash
# On a GPU host with Python PyTorch: builds Sapling's JNI bridge (libdjl_torch.so) against that torch, once per
# torch version and bridge source, into a cache folder, and prints the environment DJL needs to use it:
#   eval "$(scripts/gpu-setup.sh)"      # then: ./sapling ... --device gpu
# Environment: SAPLING_PYTHON (python with torch; default python3), SAPLING_CACHE_DIR (default ~/.cache/sapling),
# SAPLING_BRIDGE_SOURCES (bridge sources: CMakeLists.txt, common/, djl-engine/, sapling/, cuda/; default native/ in a
# bundle or src/main/native in a checkout).
# Only `export` lines go to stdout; progress and errors go to stderr. Exit status non-zero when no bridge results.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${SAPLING_PYTHON:-python3}"
log() { echo "gpu-setup: $*" >&2; }

src="${SAPLING_BRIDGE_SOURCES:-}"
if [ -z "$src" ]; then
  if [ -f "$here/native/CMakeLists.txt" ]; then src="$here/native"; else src="$here/src/main/native"; fi
fi
[ -f "$src/CMakeLists.txt" ] || { log "no bridge sources at $src (set SAPLING_BRIDGE_SOURCES)"; exit 1; }

info="$("$python" - <<'PY'
import os, torch
print(torch.__version__)
print(torch.version.cuda or "")
print(torch.utils.cmake_prefix_path)
print(os.path.join(os.path.dirname(torch.__file__), "lib"))
print(os.path.join(os.path.dirname(torch.__file__), "include"))
print(int(torch._C._GLIBCXX_USE_CXX11_ABI))
print(torch.cuda.is_available())
import glob, site, sys
roots = [os.path.dirname(os.path.dirname(torch.__file__))] + list(getattr(site, "getsitepackages", lambda: [])())
found = sorted(set(p for r in roots for p in glob.glob(os.path.join(r, "nvidia", "**", "libcudart.so*"), recursive=True)))
found += sorted(glob.glob("/usr/local/cuda*/lib64/libcudart.so*"))
print(found[0] if found else "")
PY
)" || { log "'$python' cannot import torch; set SAPLING_PYTHON to the python of your PyTorch install"; exit 1; }
mapfile -t field <<<"$info"
torch_version="${field[0]}"; cuda_version="${field[1]:-}"; prefix="${field[2]}"; torch_lib="${field[3]}"
torch_include="${field[4]}"; cxx11_abi="${field[5]}"; cuda_ok="${field[6]:-False}"; cudart="${field[7]:-}"
version="${torch_version%%+*}"
if [ -n "$cuda_version" ]; then flavor="cu$(echo "$cuda_version" | tr -d .)"; else flavor="cpu"; fi
log "torch $torch_version (CUDA ${cuda_version:-none}, GPU visible: $cuda_ok) at $torch_lib"

# every source file, by path and content (common/, djl-engine/, sapling/, cuda/ and CMakeLists.txt)
hash="$(cd "$src" && find . -type f \( -name '*.cc' -o -name '*.h' -o -name '*.cu' -o -name CMakeLists.txt \) \
  | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-12)"
cache="${SAPLING_CACHE_DIR:-$HOME/.cache/sapling}/bridge/${torch_version}-${hash}"
lib="$cache/libdjl_torch.so"

jni_include=""
for d in "$here/include" "${JAVA_HOME:-/nonexistent}/include"; do
  if [ -f "$d/jni.h" ]; then jni_include="$d"; break; fi
done
[ -n "$jni_include" ] || { log "jni.h not found (a bundle carries include/; else set JAVA_HOME to a JDK)"; exit 1; }
jni_dirs="$jni_include"
[ -d "$jni_include/linux" ] && jni_dirs="$jni_include;$jni_include/linux"

build_with_cmake() {
  local exclude="$1"
  cmake -S "$src" -B "$cache/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" \
    -DBRIDGE_JNI_INCLUDE="$jni_dirs" -DBRIDGE_EXCLUDE="$exclude" >"$cache/cmake.log" 2>&1 || return 2
  cmake --build "$cache/build" -- -k 0 >"$cache/build.log" 2>&1 || return 1
  cp "$cache/build/libdjl_torch.so" "$lib"
}

# Fallback without CMake: plain g++ against torch's include and lib folders, without the CUDA and profiler sources
# (Sapling's natives in the files it builds are bound all the same: sapling/natives.cc skips the absent ones).
build_with_gxx() {
  local objs=() cuda_libs=() f pids=() ok=0
  mkdir -p "$cache/gxx"
  : >"$cache/gxx.log"
  [ -f "$torch_lib/libtorch_cuda.so" ] && cuda_libs=(-ltorch_cuda -lc10_cuda)
  for f in "$src"/common/*.cc "$src"/djl-engine/*.cc "$src"/sapling/*.cc; do
    case "${f#"$src"/}" in djl-engine/cuda.cc|djl-engine/profiler.cc|sapling/cuda_graphs.cc) continue ;; esac
    local o="$cache/gxx/$(basename "$(dirname "$f")")-$(basename "$f" .cc).o"
    objs+=("$o")
    g++ -std=c++17 -O2 -fPIC -D_GLIBCXX_USE_CXX11_ABI="$cxx11_abi" -I"$src" -I"$torch_include" \
      -I"$torch_include/torch/csrc/api/include" -I"$jni_include" -I"$jni_include/linux" \
      -c "$f" -o "$o" >>"$cache/gxx.log" 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || ok=1; done
  [ "$ok" = 0 ] || return 1
  g++ -shared -o "$lib" "${objs[@]}" -L"$torch_lib" -Wl,-rpath,"$torch_lib" -ltorch -ltorch_cpu -lc10 \
    "${cuda_libs[@]}" >>"$cache/gxx.log" 2>&1 || return 1
}

if [ -f "$lib" ]; then
  log "bridge cached at $lib"
else
  mkdir -p "$cache"
  start=$(date +%s)
  log "building the bridge into $cache (once per torch version and bridge source)"
  status=0
  if command -v cmake >/dev/null && command -v ninja >/dev/null; then
    build_with_cmake "" || status=$?
    if [ "$status" = 1 ]; then
      # ninja names the object: FAILED: CMakeFiles/djl_torch.dir/sapling/fused_ops.cc.o -> sapling/fused_ops.cc
      failed="$(grep -o 'FAILED: [^ ]*' "$cache/build.log" \
        | grep -o '\(common\|djl-engine\|sapling\|cuda\)/[a-z_]*\.\(cc\|cu\)' | sort -u | tr '\n' ';' | sed 's/;$//')"
      log "compile failures in: ${failed:-?} (see $cache/build.log)"
      grep -m 20 'error' "$cache/build.log" >&2 || true
      # optional: TorchScript, the profiler and DJL's CUDA native; Sapling's natives but their registration; CUDA kernels
      core="$(echo "$failed" | tr ';' '\n' \
        | grep -v -E '^djl-engine/(module|profiler|cuda)\.cc$|^sapling/(fused_ops|adamw|sampling|readback|cuda_graphs)\.cc$|^cuda/' \
        || true)"
      if [ -n "$failed" ] && [ -z "$core" ]; then
        log "leaving out the optional sources $failed and building again"
        rm -rf "$cache/build"
        status=0
        build_with_cmake "$failed" || status=$?
      fi
    elif [ "$status" = 2 ]; then
      log "cmake configure failed (see $cache/cmake.log); trying g++ directly"
      tail -5 "$cache/cmake.log" >&2 || true
      status=0
      build_with_gxx || { status=$?; tail -30 "$cache/gxx.log" >&2; }
    fi
  else
    log "cmake or ninja missing; building with g++"
    build_with_gxx || { status=$?; tail -30 "$cache/gxx.log" >&2; }
  fi
  [ "$status" = 0 ] && [ -f "$lib" ] || { log "bridge build failed"; exit 1; }
  log "built $lib in $(( $(date +%s) - start )) s"
  if grep -q "without Sapling's decode kernels" "$cache/cmake.log" 2>/dev/null; then
    log "no CUDA compiler (nvcc) found: built without Sapling's decode kernels; small-batch decode runs ATen ops" \
      "(install CUDA's nvcc, or set CUDACXX to it, and delete $cache to rebuild)"
  fi
fi

# DJL looks for <ENGINE_CACHE_DIR>/pytorch/<version>-<flavor>-linux-x86_64/0.36.0-libdjl_torch.so when the torch
# lib folder has no libdjl_torch.so of its own, so the bridge needs no write access to the Python install.
engine_cache="$cache/djl"
jni_dir="$engine_cache/pytorch/${version}-${flavor}-linux-x86_64"
mkdir -p "$jni_dir"
ln -sf "$lib" "$jni_dir/0.36.0-libdjl_torch.so"
# DJL counts GPUs through JNA's dlopen("libcudart.so"); pip's CUDA wheels ship only libcudart.so.NN.
extra_ld=""
if [ -n "$cudart" ]; then
  mkdir -p "$cache/cudart"
  ln -sf "$cudart" "$cache/cudart/libcudart.so"
  extra_ld="export LD_LIBRARY_PATH=\"$cache/cudart\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}\""
fi
cat <<OUT
$extra_ld
export PYTORCH_LIBRARY_PATH="$torch_lib"
export PYTORCH_VERSION="$version"
export PYTORCH_FLAVOR="$flavor"
export ENGINE_CACHE_DIR="$engine_cache"
export DJL_OFFLINE=true
OUT
