// Sapling's small-batch decode kernels (decode_kernels.cu): the weight-bound steps of a decode step at a few rows,
// where cuBLAS's matrix-product kernels leave much of the memory bandwidth unused and every separate small kernel
// (norm, rotary, cache write, activation) costs a launch. Plain C entry points on raw device pointers, so the bridge
// (decode_kernels_aten.cc) can call them without this file knowing ATen. Each returns null on success, else a message.
#pragma once

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// What a product's rows become (see sapling_decode_product).
enum SaplingEpilogue {
  SAPLING_STORE = 0,        // out[m, n] = acc, rounded to bf16
  SAPLING_ADD = 1,          // out[m, n] = acc + add[m * add_stride + n], rounded once (residual; bias with stride 0)
  SAPLING_SWIGLU = 2,       // out[m, n] = silu(gate) * up of rows n and n + N of the weight (HF's roundings)
  SAPLING_STORE_FLOAT = 3,  // out[m, n] = acc as float32 (logits)
};

// out[m, :] = epilogue(x'[m, :] . W^T) for m < rows (1..4), bf16 throughout, float32 accumulation.
// x [rows, K] (row stride x_stride elements); when norm is not null, x' = rms_norm(x) * norm (float32, rounded once to
// bf16, as torch's rms_norm), else x' = x. W is stored row-major [N, K] (row stride w_stride; 2N rows for SWIGLU:
// gate rows, then up rows) -- a [K, N] projection held as the transposed view of a contiguous [N, K] tensor.
// Pointers 16-byte aligned, K, strides multiples of 8. stream: a cudaStream_t.
const char* sapling_decode_product(const void* x, long x_stride, const void* norm, float eps, const void* w,
                                   long w_stride, int rows, int K, int N, int epilogue, const void* add,
                                   long add_stride, void* out, long out_stride, void* stream);

// Rotary embedding of one decode step's query and key heads, with the keys and values stored in the cache:
// qkv [rows, (heads + 2 * kv_heads) * head_dim] (row stride qkv_stride); cos, sin [rows, head_dim] full width (row
// stride cs_stride); q_out [rows, heads * head_dim] gets the rotated queries; keys, values [rows, kv_heads, capacity,
// head_dim] (contiguous) get the rotated keys and the values at the slot *slot (int64, on the device).
// x * cos + rotate_half(x) * sin with the roundings of torch's bf16 ops (x * cos rounded, then one fused add).
const char* sapling_rope_store(const void* qkv, long qkv_stride, const void* cos, const void* sin, long cs_stride,
                               int rows, int heads, int kv_heads, int head_dim, const int64_t* slot, void* q_out,
                               void* keys, void* values, int capacity, void* stream);

// Attention of one decode step (one query position per row) over the cache: q [rows, heads * head_dim] (contiguous);
// keys, values [rows, kv_heads, capacity, head_dim] (contiguous); row r sees the slots from padding[r] to *slot, and
// only those after *slot - window when window > 0 (slot, padding: int64 on the device). Query head h reads key/value
// head h / (heads / kv_heads). Softmax in float32 with scale 1/sqrt(head_dim); out [rows, heads * head_dim] bf16.
// Split over the keys in chunks of 64 slots, then combined: workspace holds
// sapling_decode_attention_workspace(...) floats. head_dim 64 or 128, heads / kv_heads at most 8.
long sapling_decode_attention_workspace(int rows, int heads, int head_dim, int capacity);
const char* sapling_decode_attention(const void* q, const void* keys, const void* values, const int64_t* slot,
                                     const int64_t* padding, int window, int rows, int heads, int kv_heads,
                                     int head_dim, int capacity, void* workspace, void* out, void* stream);

// One draw per row from float32 logits [rows, vocab] (contiguous), as Sapling's TokenSampler draws: weights
// exp(x / temperature - max) in float64, the first id whose cumulative weight exceeds u times the total (else the last
// id with weight), u = uniforms[*step * rows + r] (float64, [steps, rows] on the device); greedy: the first id of the
// largest logit. A logit of -inf is a token with no weight. Writes tokens[r] (int64) and result[r] = id,
// result[rows + r] = log_softmax(x)[id] (float32; NaN when a logit is NaN or +inf). workspace holds
// sapling_sample_workspace(rows) doubles.
long sapling_sample_workspace(int rows);
const char* sapling_sample(const float* logits, int rows, int vocab, const double* uniforms, int steps,
                           const int64_t* step, double temperature, int greedy, void* workspace, int64_t* tokens,
                           float* result, void* stream);

// 1 when the current GPU can run these kernels (the library holds code for its architecture), else 0.
int sapling_decode_kernels_run_here(void);

#ifdef __cplusplus
}
#endif
