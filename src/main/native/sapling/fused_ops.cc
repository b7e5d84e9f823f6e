// Sapling's own natives (dev.sapling.model.FusedOps): the transformer's fusible steps in one JNI call
// each, on DJL tensor handles. Optional: gpu-setup.sh leaves this file out if it fails to compile, and Sapling then
// runs the composed DJL ops.
#include "common/bridge.h"
#include "cuda/decode_kernels_aten.h"
#include "sapling/natives.h"

#include <ATen/TensorIndexing.h>

#include <cmath>

using namespace bridge;

namespace {
namespace fused {  // the steps as ATen ops and decode kernels; jni:: below binds them

// Normalised in float32, as Hugging Face does. torch >= 2.4 has rms_norm (one fused kernel on torch 2.11's CUDA
// build): it computes in float32 and applies the weight in its own rounding order, which may differ from Hugging
// Face's (round to the compute dtype, then scale) by one rounding step. Older torch: the composed steps.
at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& weight, double eps, at::ScalarType computeType) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  if (x.scalar_type() == computeType) {
    return at::rms_norm(x, {x.size(-1)}, weight, eps);  // the weight applied in float32, then one rounding
  }
#endif
  at::Tensor x32 = x.to(at::kFloat);
  at::Tensor inverseRms = at::rsqrt(x32.square().mean({-1}, true) + eps);
  return (x32 * inverseRms).to(computeType) * weight;
}

// x * cos + rotateHalf(x) * sin, rotateHalf([x1, x2]) = [-x2, x1]; cos and sin span the whole head dimension.
at::Tensor rope(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) {
  int64_t half = x.size(-1) / 2;
  at::Tensor rotated = at::cat({x.narrow(-1, half, half).neg(), x.narrow(-1, 0, half)}, -1);
  return at::addcmul(x * cos, rotated, sin);
}

// residual + x · weight as one addmm over rows ([b, t, in] · [in, out] + [b, t, out]): the product accumulates into
// the residual in float32 and is rounded once.
at::Tensor addProduct(const at::Tensor& residual, const at::Tensor& x, const at::Tensor& weight) {
  int64_t out = weight.size(1);
  return at::addmm(residual.reshape({-1, out}), x.reshape({-1, x.size(-1)}), weight).view(residual.sizes());
}

// log_softmax(logits)[row, targets[row]] in float32 for logits [n, vocab] of any float dtype: the softmax kernel
// reads the logits once in their dtype and writes float32 (no separate cast pass); only [n] values come out.
at::Tensor logSoftmaxGather(const at::Tensor& logits, const at::Tensor& targets) {
  return at::log_softmax(logits, -1, at::kFloat).gather(1, targets.reshape({-1, 1}).to(at::kLong)).reshape({-1});
}

// residual + (silu(x · gate) * (x · up)) · down with gate | up the column halves of gateUp [hidden, 2 * inter]:
// two products over strided column views (no weight copy) give contiguous outputs, so SiLU and the product are
// vectorised in-place kernels instead of strided ones over halves of one product.
at::Tensor swiGluMlp(const at::Tensor& residual, const at::Tensor& x, const at::Tensor& gateUp,
                     const at::Tensor& down) {
  int64_t inter = gateUp.size(1) / 2;
  at::Tensor rows = x.reshape({-1, x.size(-1)});
  at::Tensor gate = at::mm(rows, gateUp.narrow(1, 0, inter));
  at::Tensor up = at::mm(rows, gateUp.narrow(1, inter, inter));
  at::silu_(gate);
  gate.mul_(up);
  return addProduct(residual, gate, down);
}

// The additive mask [b, 1, 1, t, s] as SDPA takes it for g query heads per key/value head laid out as g * t query
// rows (see attention): [b, 1, g * t, s] in the compute dtype. Built once per forward pass.
at::Tensor attentionMask(const at::Tensor& mask, int64_t groups, at::ScalarType computeType) {
  at::Tensor m = mask.squeeze(1).to(computeType);  // [b, 1, t, s]
  return groups > 1 ? m.repeat({1, 1, groups, 1}) : m;
}

// Plain causal attention, queries and keys aligned (t == s, no padding): SDPA with is_causal and no mask, which
// PyTorch runs with its flash kernel (it skips the masked half; the masked kernel computes every block). Key and
// value heads are repeated for the query heads that share them. q [b, t, H, hd]; k, v [b, kvH, t, hd].
at::Tensor causalAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, at::ScalarType computeType) {
  int64_t b = q.size(0);
  int64_t t = q.size(1);
  int64_t heads = q.size(2);
  int64_t hd = q.size(3);
  int64_t g = heads / k.size(1);
  at::Tensor keys = g > 1 ? k.repeat_interleave(g, 1) : k;
  at::Tensor values = g > 1 ? v.repeat_interleave(g, 1) : v;
  at::Tensor rows = q.transpose(1, 2);  // [b, H, t, hd]
#if TORCH_VERSION_MAJOR >= 2
  at::Tensor out = at::scaled_dot_product_attention(rows, keys, values, c10::nullopt, 0.0, true);
#else
  at::Tensor hidden = at::full({t, t}, -1e9, q.options()).triu(1);
  at::Tensor scores = at::matmul(rows, keys.transpose(-1, -2)) * (1.0 / std::sqrt(static_cast<double>(hd))) + hidden;
  at::Tensor out = at::matmul(at::softmax(scores.to(at::kFloat), -1).to(computeType), values);
#endif
  return out.transpose(1, 2).reshape({b, t, heads * hd});
}

// q [b, t, H, hd]; k, v [b, kvH, s, hd]; mask from attentionMask, [b, 1, g * t, s]. Returns [b, t, H * hd].
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
#if TORCH_VERSION_MAJOR >= 2
  at::Tensor out = at::scaled_dot_product_attention(rows, k, v, mask);
#else
  at::Tensor scores = at::matmul(rows, k.transpose(-1, -2)) * (1.0 / std::sqrt(static_cast<double>(hd))) + mask;
  at::Tensor out = at::matmul(at::softmax(scores.to(at::kFloat), -1).to(computeType), v);
#endif
  // [b, kvH, g * t, hd] -> [b, t, H * hd]
  return out.reshape({b, kvHeads, g, t, hd}).permute({0, 3, 1, 2, 4}).reshape({b, t, heads * hd});
}

// A small-batch decode kernel's result (cuda/decode_kernels_aten.cc), or an undefined tensor where none is built or applies.
at::Tensor decodeProduct(const at::Tensor& x, const at::Tensor& norm, double eps, const at::Tensor& weight,
                         int epilogue, const at::Tensor& add) {
  return decodeKernels != nullptr ? decodeKernels->product(x, norm, eps, weight, epilogue, add) : at::Tensor();
}

// Epilogues of DecodeKernels::product (cuda/decode_kernels.h).
constexpr int kStore = 0;
constexpr int kAdd = 1;
constexpr int kSwiGlu = 2;
constexpr int kStoreFloat = 3;

at::Tensor addProductOrKernel(const at::Tensor& residual, const at::Tensor& x, const at::Tensor& weight) {
  at::Tensor out = decodeProduct(x, at::Tensor(), 0.0, weight, kAdd, residual);
  return out.defined() ? out : addProduct(residual, x, weight);
}

// rms_norm(x) * norm times weight (plus bias): one decode kernel at 1 or 2 rows, else the norm and one product.
at::Tensor normProduct(const at::Tensor& x, const at::Tensor& norm, double eps, const at::Tensor& weight,
                       const at::Tensor& bias, at::ScalarType computeType) {
  at::Tensor out = decodeProduct(x, norm, eps, weight, bias.defined() ? kAdd : kStore, bias);
  if (out.defined()) {
    return out;
  }
  at::Tensor h = rmsNorm(x, norm, eps, computeType);
  at::Tensor rows = at::mm(h.reshape({-1, h.size(-1)}), weight);
  if (bias.defined()) {
    rows.add_(bias);
  }
  std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end());
  shape.back() = weight.size(1);
  return rows.view(shape);
}

// x + swiGlu(rms_norm(x) * norm): at 1 or 2 rows two decode kernels (norm, gate, up and SiLU in one; down and the
// residual in the other), else the norm and swiGluMlp.
at::Tensor normSwiGluMlp(const at::Tensor& x, const at::Tensor& norm, double eps, const at::Tensor& gateUp,
                         const at::Tensor& down, at::ScalarType computeType) {
  at::Tensor activation = decodeProduct(x, norm, eps, gateUp, kSwiGlu, at::Tensor());
  if (activation.defined()) {
    return addProductOrKernel(x, activation, down);
  }
  return swiGluMlp(x, rmsNorm(x, norm, eps, computeType), gateUp, down);
}

// float32 logits of rms_norm(x) * norm: x [b, t, hidden], lmHead [hidden, vocab] -> [b, t, vocab].
at::Tensor normLogits(const at::Tensor& x, const at::Tensor& norm, double eps, const at::Tensor& lmHead,
                      at::ScalarType computeType) {
  at::Tensor out = decodeProduct(x, norm, eps, lmHead, kStoreFloat, at::Tensor());
  if (out.defined()) {
    return out;
  }
  at::Tensor h = rmsNorm(x, norm, eps, computeType);
  return at::mm(h.reshape({-1, h.size(-1)}), lmHead).to(at::kFloat).view({x.size(0), x.size(1), -1});
}

// A decode step's rotary embedding and cache write: qkv [b, 1, (H + 2 kvH) * hd]; cos, sin [b, 1, 1, hd]; keys and
// values [b, kvH, capacity, hd] get the step's keys and values at slot ([1] int64). Returns the rotated queries
// [b, 1, H, hd].
at::Tensor ropeStore(const at::Tensor& qkv, int64_t heads, int64_t kvHeads, const at::Tensor& cos,
                     const at::Tensor& sin, const at::Tensor& keys, const at::Tensor& values, const at::Tensor& slot) {
  if (decodeKernels != nullptr) {
    at::Tensor q = decodeKernels->ropeStore(qkv, heads, kvHeads, cos, sin, keys, values, slot);
    if (q.defined()) {
      return q;
    }
  }
  using at::indexing::Slice;
  const int64_t b = qkv.size(0);
  const int64_t t = qkv.size(1);
  const int64_t hd = keys.size(3);
  at::Tensor qk = rope(qkv.narrow(-1, 0, (heads + kvHeads) * hd).reshape({b, t, heads + kvHeads, hd}), cos, sin);
  at::Tensor v = qkv.narrow(-1, (heads + kvHeads) * hd, kvHeads * hd).reshape({b, t, kvHeads, hd});
  at::Tensor keyCache = keys;  // handles to the same storage (index_put_ is not const on torch 1.x)
  at::Tensor valueCache = values;
  keyCache.index_put_({Slice(), Slice(), slot}, qk.narrow(2, heads, kvHeads).transpose(1, 2));
  valueCache.index_put_({Slice(), Slice(), slot}, v.transpose(1, 2));
  return qk.narrow(2, 0, heads);
}

}  // namespace fused
}  // namespace

namespace {
// The natives of dev.sapling.model.FusedOps, under their Java names (bound by sapling/natives.cc).
namespace jni {

// 2: rope takes full-width tables, attention takes the mask attentionMask prepared. 3: normProduct, normSwiGluMlp,
// normLogits, ropeStore and the small-batch decode kernels.
jint version(JNIEnv* env, jclass) { return 3; }

// Whether the bridge was built with the small-batch decode kernels (a CUDA PyTorch and nvcc).
jboolean decodeKernelsBuilt(JNIEnv* env, jclass) {
  return decodeKernels != nullptr ? JNI_TRUE : JNI_FALSE;
}

// How many decode kernels this process has launched (0 without them).
jlong decodeKernelLaunches(JNIEnv* env, jclass) {
  return decodeKernels != nullptr ? static_cast<jlong>(decodeKernels->launches()) : 0;
}

// Turns the decode kernels off (ATen ops everywhere) or on again; for A/B measurements in one process.
void enableDecodeKernels(JNIEnv* env, jclass, jboolean on) {
  decodeKernelsEnabled = on == JNI_TRUE;
}

jlong normProduct(JNIEnv* env, jclass, jlong x, jlong norm, jdouble eps, jlong weight, jlong bias, jint computeType) {
  return guarded(env, [&] {
    return wrap(fused::normProduct(tensor(x), tensor(norm), eps, tensor(weight),
                                   bias == 0 ? at::Tensor() : tensor(bias), scalarType(computeType)));
  });
}

jlong normSwiGluMlp(JNIEnv* env, jclass, jlong x, jlong norm, jdouble eps, jlong gateUp, jlong down, jint computeType) {
  return guarded(env, [&] {
    return wrap(fused::normSwiGluMlp(tensor(x), tensor(norm), eps, tensor(gateUp), tensor(down),
                                     scalarType(computeType)));
  });
}

jlong normLogits(JNIEnv* env, jclass, jlong x, jlong norm, jdouble eps, jlong lmHead, jint computeType) {
  return guarded(env, [&] {
    return wrap(fused::normLogits(tensor(x), tensor(norm), eps, tensor(lmHead), scalarType(computeType)));
  });
}

// A decode step's attention: the decode kernel (reading the visible slots only) where it applies, else SDPA with the
// prepared mask.
jlong decodeAttention(JNIEnv* env, jclass, jlong q, jlong k, jlong v, jlong slot, jlong padding, jint window,
    jlong mask, jint computeType) {
  return guarded(env, [&] {
    if (decodeKernels != nullptr) {
      at::Tensor out = decodeKernels->attention(tensor(q), tensor(k), tensor(v), tensor(slot), tensor(padding), window);
      if (out.defined()) {
        return wrap(out);
      }
    }
    return wrap(fused::attention(tensor(q), tensor(k), tensor(v), tensor(mask), scalarType(computeType)));
  });
}

jlong ropeStore(JNIEnv* env, jclass, jlong qkv, jint heads, jint kvHeads, jlong cos, jlong sin, jlong keys,
    jlong values, jlong slot) {
  return guarded(env, [&] {
    return wrap(fused::ropeStore(tensor(qkv), heads, kvHeads, tensor(cos), tensor(sin), tensor(keys),
                                 tensor(values), tensor(slot)));
  });
}

// Chooses attention backends once: cuDNN's SDPA is very slow for decode with changing key lengths on torch 2.11,
// so it is turned off and PyTorch picks flash / memory-efficient / math.
void configure(JNIEnv* env, jclass) {
  guarded(env, [&] {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 3)
    at::globalContext().setSDPUseCuDNN(false);
#endif
  });
}

jlong rmsNorm(JNIEnv* env, jclass, jlong x, jlong w, jdouble eps, jint computeType) {
  return guarded(env, [&] { return wrap(fused::rmsNorm(tensor(x), tensor(w), eps, scalarType(computeType))); });
}

jlong rope(JNIEnv* env, jclass, jlong x, jlong cos, jlong sin) {
  return guarded(env, [&] { return wrap(fused::rope(tensor(x), tensor(cos), tensor(sin))); });
}

jlong swiGluMlp(JNIEnv* env, jclass, jlong residual, jlong x, jlong gateUp, jlong down) {
  return guarded(env, [&] {
    return wrap(fused::swiGluMlp(tensor(residual), tensor(x), tensor(gateUp), tensor(down)));
  });
}

jlong addProduct(JNIEnv* env, jclass, jlong residual, jlong x, jlong weight) {
  return guarded(env, [&] { return wrap(fused::addProductOrKernel(tensor(residual), tensor(x), tensor(weight))); });
}

jlong logSoftmaxGather(JNIEnv* env, jclass, jlong logits, jlong targets) {
  return guarded(env, [&] { return wrap(fused::logSoftmaxGather(tensor(logits), tensor(targets))); });
}

jlong attentionMask(JNIEnv* env, jclass, jlong mask, jint groups, jint computeType) {
  return guarded(env, [&] { return wrap(fused::attentionMask(tensor(mask), groups, scalarType(computeType))); });
}

jlong attention(JNIEnv* env, jclass, jlong q, jlong k, jlong v, jlong mask, jint computeType) {
  return guarded(env, [&] {
    if (mask == 0) {
      return wrap(fused::causalAttention(tensor(q), tensor(k), tensor(v), scalarType(computeType)));
    }
    return wrap(fused::attention(tensor(q), tensor(k), tensor(v), tensor(mask), scalarType(computeType)));
  });
}

}  // namespace jni
}  // namespace

std::vector<sapling::Native> sapling::fusedOpsNatives() {
  return {SAPLING_NATIVE(version), SAPLING_NATIVE(decodeKernelsBuilt), SAPLING_NATIVE(decodeKernelLaunches),
          SAPLING_NATIVE(enableDecodeKernels), SAPLING_NATIVE(normProduct), SAPLING_NATIVE(normSwiGluMlp),
          SAPLING_NATIVE(normLogits), SAPLING_NATIVE(decodeAttention), SAPLING_NATIVE(ropeStore),
          SAPLING_NATIVE(configure), SAPLING_NATIVE(rmsNorm), SAPLING_NATIVE(rope), SAPLING_NATIVE(swiGluMlp),
          SAPLING_NATIVE(addProduct), SAPLING_NATIVE(logSoftmaxGather), SAPLING_NATIVE(attentionMask),
          SAPLING_NATIVE(attention)};
}
