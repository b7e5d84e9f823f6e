// Sapling's own natives (dev.sapling.runtime.device.FusedKernels): the transformer's fusible steps in one JNI call
// each, on DJL tensor handles. Optional: gpu-setup.sh leaves this file out if it fails to compile, and Sapling then
// runs the composed DJL ops.
#include "bridge.h"

#include <cmath>

using namespace bridge;

namespace {

at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& weight, double eps, at::ScalarType computeType) {
  at::Tensor x32 = x.to(at::kFloat);
  at::Tensor inverseRms = at::rsqrt(x32.square().mean({-1}, true) + eps);
  return (x32 * inverseRms).to(computeType) * weight;
}

at::Tensor rope(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) {
  int64_t half = x.size(-1) / 2;
  at::Tensor x1 = x.narrow(-1, 0, half);
  at::Tensor x2 = x.narrow(-1, half, half);
  return at::cat({x1 * cos - x2 * sin, x2 * cos + x1 * sin}, -1);
}

// q [b, t, H, hd]; k, v [b, kvH, s, hd]; mask [b, 1, 1, t, s] additive. Returns [b, t, H * hd].
// Grouped-query attention without copying keys: the g query heads that share a key/value head become g * t query
// rows of that head (g-major), so SDPA sees kvH heads and can use its memory-efficient kernel with the mask
// (PyTorch's enable_gqa with a mask falls back to the slow math path).
at::Tensor attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask,
                     at::ScalarType computeType) {
  int64_t b = q.size(0);
  int64_t t = q.size(1);
  int64_t heads = q.size(2);
  int64_t hd = q.size(3);
  int64_t kvHeads = k.size(1);
  int64_t g = heads / kvHeads;
  at::Tensor rows = q.reshape({b, t, kvHeads, g, hd}).permute({0, 2, 3, 1, 4}).reshape({b, kvHeads, g * t, hd});
  at::Tensor m = mask.squeeze(1).to(q.scalar_type());  // [b, 1, t, s]
  if (g > 1) {
    m = m.repeat({1, 1, g, 1});                         // [b, 1, g * t, s], g-major like the rows
  }
#if TORCH_VERSION_MAJOR >= 2
  at::Tensor out = at::scaled_dot_product_attention(rows, k, v, m);
#else
  at::Tensor scores = at::matmul(rows, k.transpose(-1, -2)) * (1.0 / std::sqrt(static_cast<double>(hd))) + m;
  at::Tensor out = at::matmul(at::softmax(scores.to(at::kFloat), -1).to(computeType), v);
#endif
  // [b, kvH, g * t, hd] -> [b, t, H * hd]
  return out.reshape({b, kvHeads, g, t, hd}).permute({0, 3, 1, 2, 4}).reshape({b, t, heads * hd});
}

}  // namespace

extern "C" {

JNIEXPORT jint JNICALL Java_dev_sapling_runtime_device_FusedKernels_version(JNIEnv* env, jclass) { return 1; }

// Chooses attention backends once: cuDNN's SDPA is very slow for decode with changing key lengths on torch 2.11,
// so it is turned off and PyTorch picks flash / memory-efficient / math.
JNIEXPORT void JNICALL Java_dev_sapling_runtime_device_FusedKernels_configure(JNIEnv* env, jclass) {
  guarded(env, [&] {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 3)
    at::globalContext().setSDPUseCuDNN(false);
#endif
  });
}

JNIEXPORT jlong JNICALL Java_dev_sapling_runtime_device_FusedKernels_rmsNorm(JNIEnv* env, jclass, jlong x, jlong w,
                                                                            jdouble eps, jint computeType) {
  return guarded(env, [&] { return wrap(rmsNorm(tensor(x), tensor(w), eps, scalarType(computeType))); });
}

JNIEXPORT jlong JNICALL Java_dev_sapling_runtime_device_FusedKernels_rope(JNIEnv* env, jclass, jlong x, jlong cos,
                                                                         jlong sin) {
  return guarded(env, [&] { return wrap(rope(tensor(x), tensor(cos), tensor(sin))); });
}

JNIEXPORT jlong JNICALL Java_dev_sapling_runtime_device_FusedKernels_swiGlu(JNIEnv* env, jclass, jlong gate,
                                                                           jlong up) {
  return guarded(env, [&] { return wrap(at::silu(tensor(gate)) * tensor(up)); });
}

JNIEXPORT jlong JNICALL Java_dev_sapling_runtime_device_FusedKernels_attention(JNIEnv* env, jclass, jlong q, jlong k,
                                                                              jlong v, jlong mask,
                                                                              jint computeType) {
  return guarded(env, [&] {
    return wrap(attention(tensor(q), tensor(k), tensor(v), tensor(mask), scalarType(computeType)));
  });
}

}  // extern "C"
