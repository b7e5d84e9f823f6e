// Sapling's small-batch decode kernels (see decode_kernels.h). A decode step at batch 1 reads every weight once and
// does almost no arithmetic, so it is bound by memory bandwidth; these kernels read each weight row once with wide
// streaming loads, keep many loads in flight, and fold the small steps around the products into them:
//   - a product y = epilogue(x' . W^T): one warp per output row (a contiguous row of W), eight 16-byte loads per
//     lane in flight, float32 accumulation, a warp-shuffle reduction; x' optionally RMS-normalised in the block's
//     prologue (the norm's separate kernel disappears); epilogues add a residual or bias, apply SwiGLU to the gate and
//     up rows, or write float32 logits.
//   - rotary embedding of the step's query and key heads together with the cache write of keys and values.
#include "decode_kernels.h"

#include <cuda_bf16.h>
#include <cuda_runtime.h>

namespace {

using bf16 = __nv_bfloat16;

constexpr int kWarps = 8;               // warps (output rows in flight) per block
constexpr int kThreads = 32 * kWarps;
constexpr int kUnroll = 8;              // 16-byte weight loads in flight per lane and weight row
constexpr int kMaxRows = 4;
constexpr size_t kMaxSharedBytes = 48 * 1024;

__device__ __forceinline__ float warpSum(float v) {
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1) {
    v += __shfl_xor_sync(0xffffffffu, v, offset);
  }
  return v;
}

__device__ __forceinline__ float toFloat(bf16 v) { return __bfloat162float(v); }

// v rounded to bf16 and back: where torch's bf16 ops round an intermediate result.
__device__ __forceinline__ float rounded(float v) { return __bfloat162float(__float2bfloat16(v)); }

__device__ __forceinline__ void unpack(const uint4& v, float (&f)[8]) {
  const __nv_bfloat162* p = reinterpret_cast<const __nv_bfloat162*>(&v);
#pragma unroll
  for (int i = 0; i < 4; i++) {
    float2 t = __bfloat1622float2(p[i]);
    f[2 * i] = t.x;
    f[2 * i + 1] = t.y;
  }
}

// x' . W^T with an epilogue, for M rows. R weight rows per output: 2 for SwiGLU (gate row n, up row n + N), else 1.
template <int M, bool NORM, int EPI>
__global__ void __launch_bounds__(kThreads) productKernel(const bf16* __restrict__ x, long xStride,
                                                          const bf16* __restrict__ norm, float eps,
                                                          const bf16* __restrict__ w, long wStride, int K, int N,
                                                          const bf16* __restrict__ add, long addStride,
                                                          void* __restrict__ out, long outStride) {
  constexpr int R = EPI == SAPLING_SWIGLU ? 2 : 1;
  extern __shared__ __align__(16) unsigned char shared[];
  bf16* normed = reinterpret_cast<bf16*>(shared);  // NORM: the rows rms_norm(x) * norm, [M, K]
  const int lane = threadIdx.x & 31;
  const int warp = threadIdx.x >> 5;

  if (NORM) {
    __shared__ float partial[M][kWarps];
    __shared__ float inverseRms[M];
#pragma unroll
    for (int m = 0; m < M; m++) {
      float s = 0.f;
      for (int k = threadIdx.x; k < K; k += kThreads) {
        const float v = toFloat(x[m * xStride + k]);
        s += v * v;
      }
      s = warpSum(s);
      if (lane == 0) {
        partial[m][warp] = s;
      }
    }
    __syncthreads();
    if (threadIdx.x < M) {
      float s = 0.f;
      for (int i = 0; i < kWarps; i++) {
        s += partial[threadIdx.x][i];
      }
      inverseRms[threadIdx.x] = rsqrtf(s / K + eps);
    }
    __syncthreads();
#pragma unroll
    for (int m = 0; m < M; m++) {
      const float r = inverseRms[m];
      for (int k = threadIdx.x; k < K; k += kThreads) {
        normed[m * K + k] = __float2bfloat16(toFloat(x[m * xStride + k]) * r * toFloat(norm[k]));
      }
    }
    __syncthreads();
  }

  const uint4* xRows[M];
#pragma unroll
  for (int m = 0; m < M; m++) {
    xRows[m] = reinterpret_cast<const uint4*>(NORM ? normed + m * K : x + m * xStride);
  }
  const int k8 = K / 8;
  for (int n = blockIdx.x * kWarps + warp; n < N; n += gridDim.x * kWarps) {
    const uint4* wRows[R];
#pragma unroll
    for (int r = 0; r < R; r++) {
      wRows[r] = reinterpret_cast<const uint4*>(w + static_cast<long>(n + r * N) * wStride);
    }
    float acc[R][M];
#pragma unroll
    for (int r = 0; r < R; r++) {
#pragma unroll
      for (int m = 0; m < M; m++) {
        acc[r][m] = 0.f;
      }
    }
    for (int base = 0; base < k8; base += 32 * kUnroll) {
      uint4 wv[R][kUnroll];
#pragma unroll
      for (int u = 0; u < kUnroll; u++) {
        const int i = base + u * 32 + lane;
#pragma unroll
        for (int r = 0; r < R; r++) {
          wv[r][u] = i < k8 ? __ldcs(wRows[r] + i) : make_uint4(0, 0, 0, 0);
        }
      }
#pragma unroll
      for (int u = 0; u < kUnroll; u++) {
        const int i = base + u * 32 + lane;
        if (i < k8) {
#pragma unroll
          for (int m = 0; m < M; m++) {
            float xf[8];
            unpack(xRows[m][i], xf);
#pragma unroll
            for (int r = 0; r < R; r++) {
              float wf[8];
              unpack(wv[r][u], wf);
#pragma unroll
              for (int j = 0; j < 8; j++) {
                acc[r][m] = fmaf(wf[j], xf[j], acc[r][m]);
              }
            }
          }
        }
      }
    }
#pragma unroll
    for (int r = 0; r < R; r++) {
#pragma unroll
      for (int m = 0; m < M; m++) {
        acc[r][m] = warpSum(acc[r][m]);
      }
    }
    if (lane == 0) {
#pragma unroll
      for (int m = 0; m < M; m++) {
        const long at = m * outStride + n;
        if (EPI == SAPLING_STORE) {
          static_cast<bf16*>(out)[at] = __float2bfloat16(acc[0][m]);
        } else if (EPI == SAPLING_ADD) {
          static_cast<bf16*>(out)[at] = __float2bfloat16(acc[0][m] + toFloat(add[m * addStride + n]));
        } else if (EPI == SAPLING_SWIGLU) {
          // torch: gate and up rounded to bf16, silu(gate) rounded, then the product rounded
          const float gate = rounded(acc[0][m]);
          const float up = rounded(acc[R - 1][m]);
          const float silu = rounded(gate / (1.f + expf(-gate)));
          static_cast<bf16*>(out)[at] = __float2bfloat16(silu * up);
        } else {
          static_cast<float*>(out)[at] = acc[0][m];
        }
      }
    }
  }
}

int multiprocessors() {
  static int counts[64] = {0};
  int device = 0;
  if (cudaGetDevice(&device) != cudaSuccess || device < 0 || device >= 64) {
    return 132;
  }
  if (counts[device] == 0) {
    int n = 0;
    if (cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, device) != cudaSuccess || n <= 0) {
      n = 132;
    }
    counts[device] = n;
  }
  return counts[device];
}

template <int M, bool NORM, int EPI>
void launchProduct(const void* x, long xStride, const void* norm, float eps, const void* w, long wStride, int K,
                   int N, const void* add, long addStride, void* out, long outStride, cudaStream_t stream) {
  const int rowsPerBlock = kWarps;
  int blocks = (N + rowsPerBlock - 1) / rowsPerBlock;
  const int most = multiprocessors() * 8;
  if (blocks > most) {
    blocks = most;
  }
  const size_t shared = NORM ? static_cast<size_t>(M) * K * sizeof(bf16) : 0;
  productKernel<M, NORM, EPI><<<blocks, kThreads, shared, stream>>>(
      static_cast<const bf16*>(x), xStride, static_cast<const bf16*>(norm), eps, static_cast<const bf16*>(w), wStride,
      K, N, static_cast<const bf16*>(add), addStride, out, outStride);
}

template <int M>
const char* dispatchProduct(const void* x, long xStride, const void* norm, float eps, const void* w, long wStride,
                            int K, int N, int epilogue, const void* add, long addStride, void* out, long outStride,
                            cudaStream_t stream) {
  if (norm != nullptr) {
    switch (epilogue) {
      case SAPLING_STORE:
        launchProduct<M, true, SAPLING_STORE>(x, xStride, norm, eps, w, wStride, K, N, add, addStride, out, outStride,
                                              stream);
        return nullptr;
      case SAPLING_ADD:
        launchProduct<M, true, SAPLING_ADD>(x, xStride, norm, eps, w, wStride, K, N, add, addStride, out, outStride,
                                            stream);
        return nullptr;
      case SAPLING_SWIGLU:
        launchProduct<M, true, SAPLING_SWIGLU>(x, xStride, norm, eps, w, wStride, K, N, add, addStride, out,
                                               outStride, stream);
        return nullptr;
      case SAPLING_STORE_FLOAT:
        launchProduct<M, true, SAPLING_STORE_FLOAT>(x, xStride, norm, eps, w, wStride, K, N, add, addStride, out,
                                                    outStride, stream);
        return nullptr;
    }
  } else {
    switch (epilogue) {
      case SAPLING_STORE:
        launchProduct<M, false, SAPLING_STORE>(x, xStride, norm, eps, w, wStride, K, N, add, addStride, out,
                                               outStride, stream);
        return nullptr;
      case SAPLING_ADD:
        launchProduct<M, false, SAPLING_ADD>(x, xStride, norm, eps, w, wStride, K, N, add, addStride, out, outStride,
                                             stream);
        return nullptr;
      case SAPLING_SWIGLU:
        launchProduct<M, false, SAPLING_SWIGLU>(x, xStride, norm, eps, w, wStride, K, N, add, addStride, out,
                                                outStride, stream);
        return nullptr;
      case SAPLING_STORE_FLOAT:
        launchProduct<M, false, SAPLING_STORE_FLOAT>(x, xStride, norm, eps, w, wStride, K, N, add, addStride, out,
                                                     outStride, stream);
        return nullptr;
    }
  }
  return "unknown epilogue";
}

bool aligned16(const void* p) { return reinterpret_cast<unsigned long>(p) % 16 == 0; }

const char* launchError() {
  const cudaError_t e = cudaGetLastError();
  return e == cudaSuccess ? nullptr : cudaGetErrorString(e);
}

// The rotary embedding of one step's query and key heads, and the cache write (see decode_kernels.h). One thread per
// pair (i, i + half) of a head; value heads are copied into the cache.
__global__ void ropeStoreKernel(const bf16* __restrict__ qkv, long qkvStride, const bf16* __restrict__ cos,
                                const bf16* __restrict__ sin, long csStride, int heads, int kvHeads, int headDim,
                                const int64_t* __restrict__ slot, bf16* __restrict__ qOut, bf16* __restrict__ keys,
                                bf16* __restrict__ values, int capacity) {
  const int half = headDim / 2;
  const int m = blockIdx.y;
  const int idx = blockIdx.x * blockDim.x + threadIdx.x;
  if (idx >= (heads + 2 * kvHeads) * half) {
    return;
  }
  const long s = *slot;
  if (s < 0 || s >= capacity) {
    return;  // the host checks room before every step; never write outside the cache
  }
  const int head = idx / half;
  const int i = idx - head * half;
  const bf16* src = qkv + m * qkvStride + static_cast<long>(head) * headDim;
  if (head >= heads + kvHeads) {
    bf16* dst = values + ((static_cast<long>(m) * kvHeads + (head - heads - kvHeads)) * capacity + s) * headDim;
    dst[i] = src[i];
    dst[i + half] = src[i + half];
    return;
  }
  const float x1 = toFloat(src[i]);
  const float x2 = toFloat(src[i + half]);
  const bf16* c = cos + m * csStride;
  const bf16* sn = sin + m * csStride;
  // torch's bf16 ops: x * cos rounded; then addcmul adds rotate_half(x) * sin in float32 and rounds once
  const float first = rounded(x1 * toFloat(c[i])) + (-x2) * toFloat(sn[i]);
  const float second = rounded(x2 * toFloat(c[i + half])) + x1 * toFloat(sn[i + half]);
  bf16* dst = head < heads
      ? qOut + static_cast<long>(m) * heads * headDim + static_cast<long>(head) * headDim
      : keys + ((static_cast<long>(m) * kvHeads + (head - heads)) * capacity + s) * headDim;
  dst[i] = __float2bfloat16(first);
  dst[i + half] = __float2bfloat16(second);
}

}  // namespace

extern "C" const char* sapling_decode_product(const void* x, long x_stride, const void* norm, float eps,
                                              const void* w, long w_stride, int rows, int K, int N, int epilogue,
                                              const void* add, long add_stride, void* out, long out_stride,
                                              void* stream) {
  if (rows < 1 || rows > kMaxRows) {
    return "sapling_decode_product takes 1 to 4 rows";
  }
  if (K <= 0 || N <= 0 || K % 8 != 0 || x_stride % 8 != 0 || w_stride % 8 != 0 || !aligned16(x) || !aligned16(w)) {
    return "sapling_decode_product needs 16-byte aligned rows whose length and strides are multiples of 8";
  }
  if (norm != nullptr && static_cast<size_t>(rows) * K * sizeof(bf16) > kMaxSharedBytes) {
    return "sapling_decode_product: normalised rows do not fit in shared memory";
  }
  if (epilogue == SAPLING_ADD && add == nullptr) {
    return "sapling_decode_product: the add epilogue needs the rows to add";
  }
  cudaStream_t s = static_cast<cudaStream_t>(stream);
  const char* error = nullptr;
  switch (rows) {
    case 1:
      error = dispatchProduct<1>(x, x_stride, norm, eps, w, w_stride, K, N, epilogue, add, add_stride, out, out_stride,
                                 s);
      break;
    case 2:
      error = dispatchProduct<2>(x, x_stride, norm, eps, w, w_stride, K, N, epilogue, add, add_stride, out, out_stride,
                                 s);
      break;
    case 3:
      error = dispatchProduct<3>(x, x_stride, norm, eps, w, w_stride, K, N, epilogue, add, add_stride, out, out_stride,
                                 s);
      break;
    default:
      error = dispatchProduct<4>(x, x_stride, norm, eps, w, w_stride, K, N, epilogue, add, add_stride, out, out_stride,
                                 s);
      break;
  }
  return error != nullptr ? error : launchError();
}

extern "C" const char* sapling_rope_store(const void* qkv, long qkv_stride, const void* cos, const void* sin,
                                          long cs_stride, int rows, int heads, int kv_heads, int head_dim,
                                          const int64_t* slot, void* q_out, void* keys, void* values, int capacity,
                                          void* stream) {
  if (rows < 1 || heads < 1 || kv_heads < 1 || head_dim < 2 || head_dim % 2 != 0 || capacity < 1) {
    return "sapling_rope_store: bad shape";
  }
  const int pairs = (heads + 2 * kv_heads) * (head_dim / 2);
  const int threads = 128;
  dim3 grid((pairs + threads - 1) / threads, rows);
  ropeStoreKernel<<<grid, threads, 0, static_cast<cudaStream_t>(stream)>>>(
      static_cast<const bf16*>(qkv), qkv_stride, static_cast<const bf16*>(cos), static_cast<const bf16*>(sin),
      cs_stride, heads, kv_heads, head_dim, slot, static_cast<bf16*>(q_out), static_cast<bf16*>(keys),
      static_cast<bf16*>(values), capacity);
  return launchError();
}
