// The ATen face of Sapling's small-batch decode kernels (cuda/decode_kernels.cu), which Sapling's natives
// (sapling/fused_ops.cc, sapling/sampling.cc) call: cuda/decode_kernels_aten.cc fills the table when the bridge is
// built with a CUDA PyTorch and nvcc; elsewhere it stays null and the natives run ATen ops.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>

namespace bridge {

// The decode kernels as ATen calls: set at load when the bridge was built with them (a CUDA PyTorch and nvcc), else
// null. Each function returns an undefined tensor when its inputs do not suit the kernel (not CUDA, not bf16, more
// rows than it wins at, another layout); the caller then runs ATen ops.
struct DecodeKernels {
  // epilogue(x' . weight): x [..., K]; x' = rms_norm(x) * norm when norm is defined; weight [K, N] a transposed view
  // of a contiguous [N, K] (for swiGlu: [K, 2N], gate columns then up columns); add: the residual [..., N] or a bias
  // [N] (epilogue 1). Epilogues as in decode_kernels.h: 0 store, 1 add, 2 SwiGLU, 3 float32 out.
  at::Tensor (*product)(const at::Tensor& x, const at::Tensor& norm, double eps, const at::Tensor& weight,
                        int epilogue, const at::Tensor& add);
  // Rotary embedding of a decode step's query and key heads and the cache write of keys and values at the device
  // slot: qkv [b, 1, (heads + 2 kvHeads) * hd], cos and sin [b, 1, 1, hd], keys and values [b, kvHeads, capacity, hd],
  // slot [1] int64. Returns the rotated queries [b, 1, heads, hd].
  at::Tensor (*ropeStore)(const at::Tensor& qkv, int64_t heads, int64_t kvHeads, const at::Tensor& cos,
                          const at::Tensor& sin, const at::Tensor& keys, const at::Tensor& values,
                          const at::Tensor& slot);
  // Attention of a decode step over the cache: q [b, 1, heads, hd] (contiguous), keys and values
  // [b, kvHeads, capacity, hd], slot [1] and padding [b, 1] int64, window 0 (none) or the sliding window. Returns
  // [b, 1, heads * hd].
  at::Tensor (*attention)(const at::Tensor& q, const at::Tensor& keys, const at::Tensor& values, const at::Tensor& slot,
                          const at::Tensor& padding, int64_t window);
  // One draw per row from float32 logits [rows, 1, vocab] (Sapling's TokenSampler rule, decode_kernels.h): u from
  // uniforms [steps, rows] (float64) at row *step; writes the ids into tokens ([rows, 1] int64) and returns [2, rows]
  // float32 (ids, log-probs).
  at::Tensor (*sample)(const at::Tensor& logits, const at::Tensor& uniforms, const at::Tensor& step, double temperature,
                       bool greedy, const at::Tensor& tokens);
  // How many decode kernels this process has launched (checks use it to see that a kernel, not ATen, ran).
  int64_t (*launches)();
};
extern const DecodeKernels* decodeKernels;  // defined in sapling/natives.cc, which every build has
// Off: the natives run ATen ops even where a decode kernel applies (for A/B measurements in one process).
extern bool decodeKernelsEnabled;

}  // namespace bridge
