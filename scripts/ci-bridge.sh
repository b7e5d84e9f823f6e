#!/usr/bin/env bash
# CI's second stage (.ci/run, after ./mvnw -B verify built target/): Sapling's natives, through its JNI bridge built on
# the CPU against Debian's libtorch (scripts/cpu-bridge.sh). Needs libtorch-dev, cmake, ninja-build and g++ (.ci/run
# installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
# Sapling's natives (FusedOps and the 265 PyTorchLibrary natives DJL calls) run only on the bridge, so the suite
# above skips their tests. Build the bridge against Debian's CPU libtorch and run, through it, the tests of natives
# (SAPLING_REQUIRE_BRIDGE turns their skip into a failure), the engine-level tests of the model and runtime, and the
# device check on the CPU with fused kernels (parity fixtures, generation and scoring, memory flatness).
start=$(date +%s)
bridge_env="$(scripts/cpu-bridge.sh target/cpu-bridge)"
eval "$bridge_env"
export SAPLING_REQUIRE_BRIDGE=1
# Test classes that use BridgeRequirement belong in the first line; the second holds engine-level tests.
bridge_tests=FusedOpsTest,LoadOptionsTest,BridgeCoverageTest,DeviceSamplingTest,FusedAdamWTest,AdamWTest,AdamWParityCheckTest
bridge_tests+=,TransformerTest,StaticDecoderTest,GeneratorTest,ScorerTest,StoriesRuntimeTest,DeviceTokenSelectorTest,TokenSelectorTest
bridge_tests+=,AsyncReadbackTest,PipelinedDecodeTest,RuntimeChecksTest,CheckCommandTest
./mvnw -B test -Dtest="$bridge_tests"
java -cp "target/sapling.jar:target/lib/*" dev.sapling.cli.Main check fixtures --device cpu
echo "ci: the bridge run took $(( $(date +%s) - start )) s" >&2
