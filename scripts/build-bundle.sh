#!/usr/bin/env bash
# Builds a self-contained Sapling bundle for GPU hosts that have Python PyTorch but no Java and no internet:
#   jre/                 jlink runtime (only the modules the jars need; compressed, no debug, headers or man pages)
#   target/sapling.jar   Sapling, and target/lib/ its runtime jars WITHOUT DJL's CPU libtorch and DJL's JNI jar
#                        (the bridge replaces both) and with the tokenizers jar cut to its linux-x86_64 library
#   native/              the bridge's sources by role (common/, djl-engine/, sapling/, cuda/) + CMakeLists.txt, and
#                        include/ with jni.h for hosts without a JDK
#   scripts/             gpu-setup.sh (builds the bridge against the host's torch), gpu-smoke.sh (`sapling check smoke`)
#   sapling              the launcher (uses jre/ when present)
#   kernel/              the Jupyter kernelspec template (not with --lean)
# Usage: scripts/build-bundle.sh [--out DIR] [--no-build] [--tar] [--lean]
#   --out DIR   where to write (default: bundle/, ignored by git); the folder is replaced
#   --no-build  use target/ as it is instead of running ./mvnw package
#   --tar       also write DIR.tar.gz
#   --lean      only what the GPU runtime path needs (model, runtime, DJL): leaves out Tablesaw and the Jupyter
#               kernel with their dependencies (14 MB of jars, and java.desktop + jdk.jshell: 16 MB of JRE)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/bundle"
build=yes
tarball=""
lean=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$(realpath -m "$2")"; shift 2 ;;
    --no-build) build=""; shift ;;
    --tar) tarball=yes; shift ;;
    --lean) lean=yes; shift ;;
    *) echo "build-bundle: unknown option '$1' (expected --out DIR, --no-build, --tar, --lean)" >&2; exit 2 ;;
  esac
done

java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"
for tool in jlink jdeps; do
  [ -x "$java_home/bin/$tool" ] || { echo "build-bundle: $java_home/bin/$tool not found; set JAVA_HOME to a JDK 17" >&2; exit 1; }
done

cd "$root"
if [ -n "$build" ]; then
  echo "build-bundle: ./mvnw package" >&2
  ./mvnw -q -B -DskipTests package >&2
fi
[ -f target/sapling.jar ] || { echo "build-bundle: target/sapling.jar missing; run without --no-build" >&2; exit 1; }
# the device checks (`sapling check`, package dev.sapling.check) ship in sapling.jar, lean bundle included
unzip -l target/sapling.jar 'dev/sapling/check/GpuSmoke.class' >/dev/null \
  || { echo "build-bundle: target/sapling.jar lacks dev.sapling.check; rebuild without --no-build" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out/target/lib" "$out/native" "$out/include" "$out/scripts"
for jar in target/lib/*.jar; do
  name="$(basename "$jar")"
  case "$name" in
    pytorch-native-cpu-*|pytorch-jni-*) continue ;;   # replaced by the host's torch + the bridge
  esac
  if [ -n "$lean" ]; then
    case "$name" in
      tablesaw-*|guava-*|failureaccess-*|listenablefuture-*|jsr305-*|checker-qual-*|j2objc-*|commons-math3-*|\
      fastutil-*|RoaringBitmap-*|univocity-*|icu4j-*|classgraph-*|jjava-*|jeromq-*|jnacl-*) continue ;;
      # the kernel's %maven (Maven Resolver) and IFEval's language detection
      maven-*|plexus-*|httpclient-*|httpcore-*|commons-codec-*|jcl-over-slf4j-*|langdetect-*|jsonic-*) continue ;;
    esac
  fi
  cp "$jar" "$out/target/lib/"
done
cp target/sapling.jar "$out/target/"
tok="$(ls "$out"/target/lib/tokenizers-*.jar)"
zip -q -d "$tok" 'native/lib/linux-aarch64/*' 'native/lib/osx-*' 'native/lib/win-*' >/dev/null || true
# libtokenizers.so ships with its symbol table (14.3 -> 11.7 MB stripped; JNI needs only the dynamic symbols)
tok_tmp="$(mktemp -d)"
(cd "$tok_tmp" && unzip -q "$tok" 'native/lib/linux-x86_64/*/libtokenizers.so' \
  && strip --strip-unneeded native/lib/linux-x86_64/*/libtokenizers.so && zip -q -9 "$tok" native/lib/linux-x86_64/*/libtokenizers.so)
rm -rf "$tok_tmp"
# JNA's dispatch library for every other platform (1.7 MB)
for jna in "$out"/target/lib/jna-*.jar; do
  [ -f "$jna" ] || continue
  zip -q -d "$jna" $(unzip -Z1 "$jna" | grep -E '^com/sun/jna/[^/]+/(lib)?jnidispatch' | grep -v '/linux-x86-64/') >/dev/null
done

# Tablesaw's libraries cut to the classes that any other jar can reach (ShrinkJars.java): fastutil 23.6 -> 3.4 MB,
# icu4j 14.3 -> 0.1 MB (Tablesaw uses only its CharsetDetector, which needs none of icu4j's data files), Guava
# 3.0 -> 1.5 MB, commons-math3 2.2 -> 0.7 MB. Every class of every other jar stays, so all of Tablesaw (and the
# kernel's tech.tablesaw.api.* in cells) works; what is gone is what nothing in the bundle names, e.g. a cell that
# uses fastutil's Int2IntOpenHashMap or icu4j's Transliterator directly (add those jars with %jars / %maven).
shrink_args=()
for jar in "$out"/target/lib/*.jar "$out/target/sapling.jar"; do
  case "$(basename "$jar")" in
    fastutil-*|icu4j-*|guava-*|commons-math3-*) shrink_args+=(--shrink "$jar") ;;
    *) shrink_args+=(--root "$jar") ;;
  esac
done
if printf '%s\n' "${shrink_args[@]}" | grep -q -x -e --shrink; then
  echo "build-bundle: cutting Tablesaw's libraries to the classes the bundle reaches" >&2
  "$java_home/bin/java" "$root/scripts/ShrinkJars.java" "${shrink_args[@]}" --drop-resources com/ibm/icu/impl/data/
fi

echo "build-bundle: finding the JDK modules the jars use" >&2
modules="$("$java_home/bin/jdeps" --multi-release 17 --print-module-deps --ignore-missing-deps -q \
  --class-path "$(ls "$out"/target/lib/*.jar | tr '\n' ':')" "$out/target/sapling.jar")"
# jdk.management + jdk.jfr: the GC.heap_info diagnostic command that `sapling check fixtures`' memory section reads
# (dev.sapling.check.ResidentMemory); without jdk.jfr, JDK 17's DiagnosticCommand MBean lists no command but jfrConfigure (+1 MB)
modules="$modules,jdk.unsupported,jdk.zipfs,java.logging,jdk.management,jdk.jfr"
if [ -n "$lean" ]; then
  # the JShell kernel, script runner and image/chart reports are not part of the lean (GPU runtime) bundle
  modules="$(echo "$modules" | tr ',' '\n' | grep -v -x -e 'jdk.jshell' -e 'java.desktop' | paste -sd, -)"
fi
echo "build-bundle: jlink $modules" >&2
# ct.sym (8 MB, jdk.compiler's signatures of older Java releases) is read only for javac --release N; JShell and the
# kernel compile against the running JDK
"$java_home/bin/jlink" --add-modules "$modules" --compress=2 --strip-debug --no-header-files --no-man-pages \
  --exclude-files='**/lib/ct.sym' --output "$out/jre"
strip -p --strip-unneeded "$out/jre/lib/server/libjvm.so" 2>/dev/null || true

# the bridge's sources by role: CMakeLists.txt, common/, djl-engine/, sapling/, cuda/ (docs/gpu.md)
cp src/main/native/CMakeLists.txt "$out/native/"
cp -R src/main/native/common src/main/native/djl-engine src/main/native/sapling src/main/native/cuda "$out/native/"
cp "$java_home/include/jni.h" "$java_home/include/linux/jni_md.h" "$out/include/"
cp scripts/gpu-setup.sh scripts/gpu-smoke.sh "$out/scripts/"
cp sapling "$out/sapling"
if [ -z "$lean" ]; then
  # the kernelspec template and logos that `./sapling kernel install` looks for above target/sapling.jar
  mkdir -p "$out/kernel" && cp kernel/kernel.json kernel/logo-*.png "$out/kernel/"
fi
chmod +x "$out/sapling" "$out/scripts/"*.sh

size="$(du -sm "$out" | cut -f1)"
echo "build-bundle: wrote $out (${size} MB)" >&2
if [ -n "$tarball" ]; then
  tar -C "$(dirname "$out")" -czf "$out.tar.gz" "$(basename "$out")"
  echo "build-bundle: wrote $out.tar.gz ($(du -sm "$out.tar.gz" | cut -f1) MB)" >&2
fi
