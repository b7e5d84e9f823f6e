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

#include <math.h>
#include <stdlib.h>
#include <string.h>

namespace {

using bf16 = __nv_bfloat16;

constexpr int kWarps = 8;               // warps (output rows in flight) per block
constexpr int kThreads = 32 * kWarps;
constexpr int kUnroll = 8;              // 16-byte weight loads in flight per lane and weight row
constexpr int kMaxRows = 4;
// Dynamic shared memory a product may use for the normalised rows: 48 KiB (the limit without an opt-in) less room
// for the kernels' own static shared memory.
constexpr size_t kMaxSharedBytes = 47 * 1024;

// Programmatic dependent launch (Hopper and newer; no-ops elsewhere and when a kernel was launched without it): a
// kernel lets the next one start while its own blocks finish, and the next one waits for it before touching anything
// it wrote. The products load their first weights before waiting, so their weight stream overlaps the previous kernel.
__device__ __forceinline__ void letNextKernelStart() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.launch_dependents;" :::);
#endif
}

__device__ __forceinline__ void waitForPreviousKernel() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
}

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
// Each output row is read by `splits` warps (1, 2 or 4), each over a contiguous part of K, so a long row (the down
// projection's) still has all its loads in flight at once; their sums meet in shared memory in a fixed order.
template <int M, bool NORM, int EPI>
__global__ void __launch_bounds__(kThreads) productKernel(const bf16* __restrict__ x, long xStride,
                                                          const bf16* __restrict__ norm, float eps,
                                                          const bf16* __restrict__ w, long wStride, int K, int N,
                                                          const bf16* __restrict__ add, long addStride,
                                                          void* __restrict__ out, long outStride, int splits) {
  constexpr int R = EPI == SAPLING_SWIGLU ? 2 : 1;
  extern __shared__ __align__(16) unsigned char shared[];
  bf16* normed = reinterpret_cast<bf16*>(shared);  // NORM: the rows rms_norm(x) * norm, [M, K]
  __shared__ float partials[kWarps][R][M];
  const int lane = threadIdx.x & 31;
  const int warp = threadIdx.x >> 5;
  const int rowsPerBlock = kWarps / splits;
  const int rowInBlock = warp / splits;
  const int part = warp - rowInBlock * splits;
  const int k8 = K / 8;
  const int chunk = k8 / splits;
  const int begin = part * chunk;
  const int end = begin + chunk;
  const int stride = gridDim.x * rowsPerBlock;

  letNextKernelStart();
  // The first loads of this warp's first row go out before the norm, and before waiting for the previous kernel:
  // weights do not depend on it.
  uint4 wv[R][kUnroll];
  const int firstRow = blockIdx.x * rowsPerBlock + rowInBlock;
  if (firstRow < N) {
#pragma unroll
    for (int u = 0; u < kUnroll; u++) {
      const int i = begin + u * 32 + lane;
#pragma unroll
      for (int r = 0; r < R; r++) {
        wv[r][u] = i < end ? __ldcs(reinterpret_cast<const uint4*>(w + static_cast<long>(firstRow + r * N) * wStride) + i)
                           : make_uint4(0, 0, 0, 0);
      }
    }
  }

  waitForPreviousKernel();  // x and add are the previous kernels' outputs; out may be memory they still read

  if (NORM) {
    __shared__ float sums[M][kWarps];
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
        sums[m][warp] = s;
      }
    }
    __syncthreads();
    if (threadIdx.x < M) {
      float s = 0.f;
      for (int i = 0; i < kWarps; i++) {
        s += sums[threadIdx.x][i];
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
  bool prefetched = true;
  // block-uniform trip count: every warp reaches the __syncthreads of the split reduction
  for (int base = blockIdx.x * rowsPerBlock; base < N; base += stride) {
    const int n = base + rowInBlock;
    float acc[R][M];
#pragma unroll
    for (int r = 0; r < R; r++) {
#pragma unroll
      for (int m = 0; m < M; m++) {
        acc[r][m] = 0.f;
      }
    }
    if (n < N) {
      const uint4* wRows[R];
#pragma unroll
      for (int r = 0; r < R; r++) {
        wRows[r] = reinterpret_cast<const uint4*>(w + static_cast<long>(n + r * N) * wStride);
      }
      const bool oneBatch = chunk <= 32 * kUnroll;
      for (int b = begin; b < end; b += 32 * kUnroll) {
        if (!prefetched) {
#pragma unroll
          for (int u = 0; u < kUnroll; u++) {
            const int i = b + u * 32 + lane;
#pragma unroll
            for (int r = 0; r < R; r++) {
              wv[r][u] = i < end ? __ldcs(wRows[r] + i) : make_uint4(0, 0, 0, 0);
            }
          }
        }
        prefetched = false;
#pragma unroll
        for (int u = 0; u < kUnroll; u++) {
          const int i = b + u * 32 + lane;
          if (i < end) {
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
      // a row in one batch: the next row's loads go out now, in flight during this row's reduction and epilogue
      const int next = n + stride;
      if (oneBatch && next < N) {
#pragma unroll
        for (int u = 0; u < kUnroll; u++) {
          const int i = begin + u * 32 + lane;
#pragma unroll
          for (int r = 0; r < R; r++) {
            wv[r][u] = i < end ? __ldcs(reinterpret_cast<const uint4*>(w + static_cast<long>(next + r * N) * wStride) + i)
                               : make_uint4(0, 0, 0, 0);
          }
        }
        prefetched = true;
      }
    } else {
      prefetched = false;
    }
#pragma unroll
    for (int r = 0; r < R; r++) {
#pragma unroll
      for (int m = 0; m < M; m++) {
        acc[r][m] = warpSum(acc[r][m]);
      }
    }
    if (splits > 1) {
      if (lane == 0) {
#pragma unroll
        for (int r = 0; r < R; r++) {
#pragma unroll
          for (int m = 0; m < M; m++) {
            partials[warp][r][m] = acc[r][m];
          }
        }
      }
      __syncthreads();
      if (part == 0 && lane == 0) {
#pragma unroll
        for (int r = 0; r < R; r++) {
#pragma unroll
          for (int m = 0; m < M; m++) {
            float s = 0.f;
            for (int p = 0; p < splits; p++) {
              s += partials[warp + p][r][m];
            }
            acc[r][m] = s;
          }
        }
      }
      __syncthreads();
    }
    if (part == 0 && lane == 0 && n < N) {
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
          // logits rounded to bf16 first, as the ATen product (bf16 output, then float32) and transformers give them
          static_cast<float*>(out)[at] = rounded(acc[0][m]);
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

// Whether products are launched to overlap the kernel before them (programmatic dependent launch): on GPUs of compute
// capability 9.0 and newer, unless SAPLING_KERNEL_OVERLAP=off.
bool overlapLaunches() {
  static int on = -1;
  if (on < 0) {
    int device = 0;
    int major = 0;
    const char* flag = getenv("SAPLING_KERNEL_OVERLAP");
    on = cudaGetDevice(&device) == cudaSuccess &&
                 cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device) == cudaSuccess &&
                 major >= 9 && !(flag != nullptr && strcmp(flag, "off") == 0)
             ? 1
             : 0;
  }
  return on == 1;
}

// Warps per output row: enough that each warp's part of a row is about 2048 elements (all its loads in flight).
int splitsFor(int K) {
  const int k8 = K / 8;
  if (K >= 6144 && k8 % 4 == 0) {
    return 4;
  }
  if (K >= 3072 && k8 % 2 == 0) {
    return 2;
  }
  return 1;
}

template <int M, bool NORM, int EPI>
void launchProduct(const void* x, long xStride, const void* norm, float eps, const void* w, long wStride, int K,
                   int N, const void* add, long addStride, void* out, long outStride, cudaStream_t stream) {
  const int splits = splitsFor(K);
  const int rowsPerBlock = kWarps / splits;
  const size_t shared = NORM ? static_cast<size_t>(M) * K * sizeof(bf16) : 0;
  // as many blocks as stay resident together: each loops over rows (the norm prologue runs once per block, and a
  // warp's next row is in flight while it finishes the current one)
  static size_t residentShared = static_cast<size_t>(-1);  // per instantiation, for the last shared size asked
  static int resident = 1;
  if (residentShared != shared) {
    if (cudaOccupancyMaxActiveBlocksPerMultiprocessor(&resident, productKernel<M, NORM, EPI>, kThreads, shared) !=
            cudaSuccess ||
        resident < 1) {
      resident = 1;
    }
    residentShared = shared;
  }
  int blocks = (N + rowsPerBlock - 1) / rowsPerBlock;
  const int most = multiprocessors() * resident;
  if (blocks > most) {
    blocks = most;
  }
  cudaLaunchConfig_t config = {};
  config.gridDim = dim3(blocks);
  config.blockDim = dim3(kThreads);
  config.dynamicSmemBytes = shared;
  config.stream = stream;
  cudaLaunchAttribute overlap[1];
  overlap[0].id = cudaLaunchAttributeProgrammaticStreamSerialization;
  overlap[0].val.programmaticStreamSerializationAllowed = 1;
  if (overlapLaunches()) {
    config.attrs = overlap;
    config.numAttrs = 1;
  }
  cudaLaunchKernelEx(&config, productKernel<M, NORM, EPI>, static_cast<const bf16*>(x), xStride,
                     static_cast<const bf16*>(norm), eps, static_cast<const bf16*>(w), wStride, K, N,
                     static_cast<const bf16*>(add), addStride, out, outStride, splits);
}

template <int M, bool NORM>
const char* dispatchEpilogue(const void* x, long xStride, const void* norm, float eps, const void* w, long wStride,
                             int K, int N, int epilogue, const void* add, long addStride, void* out, long outStride,
                             cudaStream_t stream) {
  switch (epilogue) {
    case SAPLING_STORE:
      launchProduct<M, NORM, SAPLING_STORE>(x, xStride, norm, eps, w, wStride, K, N, add, addStride, out, outStride,
                                            stream);
      return nullptr;
    case SAPLING_ADD:
      launchProduct<M, NORM, SAPLING_ADD>(x, xStride, norm, eps, w, wStride, K, N, add, addStride, out, outStride,
                                          stream);
      return nullptr;
    case SAPLING_SWIGLU:
      launchProduct<M, NORM, SAPLING_SWIGLU>(x, xStride, norm, eps, w, wStride, K, N, add, addStride, out, outStride,
                                             stream);
      return nullptr;
    case SAPLING_STORE_FLOAT:
      launchProduct<M, NORM, SAPLING_STORE_FLOAT>(x, xStride, norm, eps, w, wStride, K, N, add, addStride, out,
                                                  outStride, stream);
      return nullptr;
  }
  return "unknown epilogue";
}

template <int M>
const char* dispatchProduct(const void* x, long xStride, const void* norm, float eps, const void* w, long wStride,
                            int K, int N, int epilogue, const void* add, long addStride, void* out, long outStride,
                            cudaStream_t stream) {
  return norm != nullptr
      ? dispatchEpilogue<M, true>(x, xStride, norm, eps, w, wStride, K, N, epilogue, add, addStride, out, outStride,
                                  stream)
      : dispatchEpilogue<M, false>(x, xStride, norm, eps, w, wStride, K, N, epilogue, add, addStride, out, outStride,
                                   stream);
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
  letNextKernelStart();
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

// ---- decode attention -------------------------------------------------------------------------------------------

constexpr int kAttentionWarps = 4;  // warps per block; a block takes one chunk of slots of one row and key/value head
constexpr int kMaxGroup = 8;        // query heads per key/value head

// Slots per block: 32 per warp, or more for long caches so that a row has at most 32 chunks.
int attentionChunk(int capacity) {
  int chunk = 32 * kAttentionWarps;
  while ((capacity + chunk - 1) / chunk > 32) {
    chunk *= 2;
  }
  return chunk;
}

// One warp's share of one chunk, 32 slots at a time with one slot per lane: each lane's scores for the G query heads
// of key/value head kvh (its key read with wide loads), a softmax across the 32 lanes, then the weighted values with
// the lanes over the dimensions (D each: head_dim = 32 * D), the weights read back from shared memory. G and D are
// compile-time so that no step waits behind a branch. Writes one part (max, sum, weighted values) per query head.
template <int D, int G>
__global__ void __launch_bounds__(32 * kAttentionWarps) attentionPartsKernel(
    const bf16* __restrict__ q, const bf16* __restrict__ keys, const bf16* __restrict__ values,
    const int64_t* __restrict__ slot, const int64_t* __restrict__ padding, int window, int heads, int kvHeads,
    int capacity, int chunk, float* __restrict__ workspace) {
  letNextKernelStart();
  constexpr int hd = 32 * D;
  __shared__ float qs[G][hd];
  __shared__ float weights[kAttentionWarps][G][32];
  const int kvh = blockIdx.y;
  const int r = blockIdx.z;
  const int lane = threadIdx.x & 31;
  const int warp = threadIdx.x >> 5;
  const int parts = gridDim.x * kAttentionWarps;
  const int p = blockIdx.x * kAttentionWarps + warp;
  const long last = *slot;
  long first = padding[r];
  if (window > 0 && last - window + 1 > first) {
    first = last - window + 1;
  }
  const float scale = rsqrtf(static_cast<float>(hd));
  for (int i = threadIdx.x; i < G * hd; i += blockDim.x) {
    qs[i / hd][i % hd] = toFloat(q[(static_cast<long>(r) * heads + kvh * G) * hd + i]) * scale;
  }
  __syncthreads();
  float m[G];
  float l[G];
  float acc[G][D];
#pragma unroll
  for (int g = 0; g < G; g++) {
    m[g] = -INFINITY;
    l[g] = 0.f;
#pragma unroll
    for (int d = 0; d < D; d++) {
      acc[g][d] = 0.f;
    }
  }
  const long headBase = (static_cast<long>(r) * kvHeads + kvh) * capacity * hd;
  const int per = chunk / kAttentionWarps;
  const int from = blockIdx.x * chunk + warp * per;
  for (int j0 = from; j0 < from + per; j0 += 32) {
    const int j = j0 + lane;
    const bool visible = j < capacity && j >= first && j <= last;
    if (__ballot_sync(0xffffffffu, visible) == 0) {
      continue;
    }
    float score[G];
#pragma unroll
    for (int g = 0; g < G; g++) {
      score[g] = 0.f;
    }
    if (visible) {
      const uint4* k = reinterpret_cast<const uint4*>(keys + headBase + static_cast<long>(j) * hd);
      uint4 kv[hd / 8];
#pragma unroll
      for (int c = 0; c < hd / 8; c++) {
        kv[c] = k[c];
      }
#pragma unroll
      for (int c = 0; c < hd / 8; c++) {
        float kf[8];
        unpack(kv[c], kf);
#pragma unroll
        for (int g = 0; g < G; g++) {
#pragma unroll
          for (int e = 0; e < 8; e++) {
            score[g] = fmaf(qs[g][c * 8 + e], kf[e], score[g]);
          }
        }
      }
    }
#pragma unroll
    for (int g = 0; g < G; g++) {
      float top = visible ? score[g] : -INFINITY;
#pragma unroll
      for (int offset = 16; offset > 0; offset >>= 1) {
        top = fmaxf(top, __shfl_xor_sync(0xffffffffu, top, offset));
      }
      const float mNew = fmaxf(m[g], top);
      const float correction = expf(m[g] - mNew);  // 0 while m is -inf
      const float weight = visible ? expf(score[g] - mNew) : 0.f;
      weights[warp][g][lane] = weight;
      l[g] = l[g] * correction + warpSum(weight);
#pragma unroll
      for (int d = 0; d < D; d++) {
        acc[g][d] *= correction;
      }
      m[g] = mNew;
    }
    __syncwarp();
    // the weighted values: lanes over dimensions; 16 slots' values loaded at once, then added in slot order
    // (a slot that is not visible has weight 0; its values, from the same cache, are finite)
    const bf16* v = values + headBase + static_cast<long>(j0) * hd + lane * D;
#pragma unroll
    for (int half = 0; half < 32; half += 16) {
      float vf[16][D];
#pragma unroll
      for (int t = 0; t < 16; t++) {
#pragma unroll
        for (int d = 0; d < D; d++) {
          vf[t][d] = j0 + half + t < capacity ? toFloat(v[(half + t) * hd + d]) : 0.f;
        }
      }
#pragma unroll
      for (int t = 0; t < 16; t++) {
#pragma unroll
        for (int g = 0; g < G; g++) {
          const float w = weights[warp][g][half + t];
#pragma unroll
          for (int d = 0; d < D; d++) {
            acc[g][d] = fmaf(w, vf[t][d], acc[g][d]);
          }
        }
      }
    }
    __syncwarp();
  }
  float* base = workspace + ((static_cast<long>(r) * kvHeads + kvh) * parts + p) * G * (hd + 2);
#pragma unroll
  for (int g = 0; g < G; g++) {
    float* o = base + g * (hd + 2);
    if (lane == 0) {
      o[0] = m[g];
      o[1] = l[g];
    }
#pragma unroll
    for (int d = 0; d < D; d++) {
      o[2 + lane * D + d] = acc[g][d];
    }
  }
}

// Combines the parts of each (row, query head), one thread per dimension: the parts' maxima and sums in parallel
// (through shared memory), then each dimension's weighted sum over the parts with its loads in flight together.
constexpr int kMaxParts = 4 * 32;

__global__ void attentionCombineKernel(const float* __restrict__ workspace, int heads, int kvHeads, int hd, int parts,
                                       bf16* __restrict__ out) {
  letNextKernelStart();
  __shared__ float scales[kMaxParts];
  __shared__ float partial[2][8];
  const int h = blockIdx.x;
  const int r = blockIdx.y;
  const int t = threadIdx.x;
  const int lane = t & 31;
  const int warp = t >> 5;
  const int warps = blockDim.x / 32;
  const int group = heads / kvHeads;
  const int kvh = h / group;
  const int g = h - kvh * group;
  const long partStride = static_cast<long>(group) * (hd + 2);
  const float* base = workspace + (static_cast<long>(r) * kvHeads + kvh) * parts * partStride + g * (hd + 2);
  float most = -INFINITY;
  for (int p = t; p < parts; p += blockDim.x) {
    most = fmaxf(most, base[p * partStride]);
  }
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1) {
    most = fmaxf(most, __shfl_xor_sync(0xffffffffu, most, offset));
  }
  if (lane == 0) {
    partial[0][warp] = most;
  }
  __syncthreads();
  most = partial[0][0];
  for (int w = 1; w < warps; w++) {
    most = fmaxf(most, partial[0][w]);
  }
  float sum = 0.f;
  for (int p = t; p < parts; p += blockDim.x) {
    const float* part = base + p * partStride;
    const float c = part[1] > 0.f ? expf(part[0] - most) : 0.f;
    scales[p] = c;
    sum += part[1] * c;
  }
  sum = warpSum(sum);
  if (lane == 0) {
    partial[1][warp] = sum;
  }
  __syncthreads();
  sum = 0.f;
  for (int w = 0; w < warps; w++) {
    sum += partial[1][w];
  }
  float value = 0.f;
#pragma unroll 8
  for (int p = 0; p < parts; p++) {
    value = fmaf(base[p * partStride + 2 + t], scales[p], value);
  }
  out[(static_cast<long>(r) * heads + h) * hd + t] = __float2bfloat16(sum > 0.f ? value / sum : 0.f);
}

// ---- sampling -----------------------------------------------------------------------------------------------------

constexpr int kSampleSegments = 128;  // vocabulary segments per row (blocks of the first pass)
constexpr int kSampleThreads = 256;
constexpr int kSegmentStats = 6;      // max raw, sum raw, max scaled, sum scaled, argmax, not finite

// A token's sampling weight, exp(x / T - max / T) in float64; 0 for a logit that is not finite.
__device__ __forceinline__ double sampleWeight(float v, double temperature, double maxScaled) {
  return isfinite(v) ? exp(static_cast<double>(v) / temperature - maxScaled) : 0.0;
}

// Block-wide max with the lowest index on ties, over (value, index) pairs; every thread gets the result.
__device__ void blockArgMax(float& value, int& index, float* values, int* indexes) {
  const int t = threadIdx.x;
  values[t] = value;
  indexes[t] = index;
  __syncthreads();
  for (int half = blockDim.x / 2; half > 0; half >>= 1) {
    if (t < half) {
      const float v = values[t + half];
      const int i = indexes[t + half];
      if (v > values[t] || (v == values[t] && i < indexes[t])) {
        values[t] = v;
        indexes[t] = i;
      }
    }
    __syncthreads();
  }
  value = values[0];
  index = indexes[0];
  __syncthreads();
}

__device__ double blockSum(double v, double* scratch) {
  const int t = threadIdx.x;
  scratch[t] = v;
  __syncthreads();
  for (int half = blockDim.x / 2; half > 0; half >>= 1) {
    if (t < half) {
      scratch[t] += scratch[t + half];
    }
    __syncthreads();
  }
  const double total = scratch[0];
  __syncthreads();
  return total;
}

// First pass: per vocabulary segment, the largest logit (first index), the sums of exp(x - max) and of
// exp(x / T - max / T), and whether a logit is not finite.
__global__ void __launch_bounds__(kSampleThreads) sampleSegmentsKernel(const float* __restrict__ logits, int vocab,
                                                                       double temperature,
                                                                       double* __restrict__ workspace) {
  letNextKernelStart();
  __shared__ float values[kSampleThreads];
  __shared__ int indexes[kSampleThreads];
  __shared__ double scratch[kSampleThreads];
  const int r = blockIdx.y;
  const int per = (vocab + kSampleSegments - 1) / kSampleSegments;
  const int lo = blockIdx.x * per;
  const int hi = min(vocab, lo + per);
  const float* x = logits + static_cast<long>(r) * vocab;
  float best = -INFINITY;
  int at = vocab;
  int bad = 0;
  for (int i = lo + threadIdx.x; i < hi; i += kSampleThreads) {
    const float v = x[i];
    if (isnan(v) || v == INFINITY) {
      bad = 1;  // -inf is a token with no weight, as in TokenSampler
    } else if (isfinite(v) && (v > best || (v == best && i < at))) {
      best = v;
      at = i;
    }
  }
  blockArgMax(best, at, values, indexes);
  const int anyBad = __syncthreads_or(bad);
  double sumRaw = 0.0;
  double sumScaled = 0.0;
  const double maxRaw = best;
  const double maxScaled = static_cast<double>(best) / temperature;
  if (at < vocab) {
    for (int i = lo + threadIdx.x; i < hi; i += kSampleThreads) {
      const float v = x[i];
      if (isfinite(v)) {
        sumRaw += exp(static_cast<double>(v) - maxRaw);
        sumScaled += exp(static_cast<double>(v) / temperature - maxScaled);
      }
    }
  }
  sumRaw = blockSum(sumRaw, scratch);
  sumScaled = blockSum(sumScaled, scratch);
  if (threadIdx.x == 0) {
    double* out = workspace + (static_cast<long>(r) * kSampleSegments + blockIdx.x) * kSegmentStats;
    out[0] = at < vocab ? maxRaw : -INFINITY;
    out[1] = sumRaw;
    out[2] = at < vocab ? maxScaled : -INFINITY;
    out[3] = sumScaled;
    out[4] = at;
    out[5] = anyBad;
  }
}

// Second pass, one block per row: combines the segments, finds the segment where the cumulative weight passes
// u * total, then the id inside it (in order, by one thread), and writes the token and its log-prob.
__global__ void __launch_bounds__(kSampleThreads) sampleChooseKernel(
    const float* __restrict__ logits, int rows, int vocab, const double* __restrict__ uniforms, int steps,
    const int64_t* __restrict__ step, double temperature, int greedy, const double* __restrict__ workspace,
    int64_t* __restrict__ tokens, float* __restrict__ result) {
  letNextKernelStart();
  __shared__ float values[kSampleThreads];
  __shared__ int indexes[kSampleThreads];
  __shared__ double weights[kSampleSegments];
  __shared__ double rawSums[kSampleSegments];
  __shared__ double threadSums[kSampleThreads];
  __shared__ int chosen;
  __shared__ double logNormaliser;
  const int r = blockIdx.x;
  const int t = threadIdx.x;
  const float* x = logits + static_cast<long>(r) * vocab;
  const double* stats = workspace + static_cast<long>(r) * kSampleSegments * kSegmentStats;
  float best = -INFINITY;
  int at = vocab;
  int bad = 0;
  if (t < kSampleSegments) {
    const double* s = stats + t * kSegmentStats;
    if (s[4] < vocab) {
      best = static_cast<float>(s[0]);
      at = static_cast<int>(s[4]);
    }
    bad = s[5] != 0.0;
  }
  blockArgMax(best, at, values, indexes);
  const int anyBad = __syncthreads_or(bad);
  const double maxRaw = best;
  const double maxScaled = static_cast<double>(best) / temperature;
  if (t < kSampleSegments) {
    const double* s = stats + t * kSegmentStats;
    const bool filled = s[4] < vocab;
    weights[t] = filled ? s[3] * exp(s[2] - maxScaled) : 0.0;
    rawSums[t] = filled ? s[1] * exp(s[0] - maxRaw) : 0.0;
  }
  __syncthreads();
  const int per = (vocab + kSampleSegments - 1) / kSampleSegments;
  if (t == 0) {
    double raw = 0.0;
    for (int i = 0; i < kSampleSegments; i++) {
      raw += rawSums[i];
    }
    logNormaliser = maxRaw + log(raw);
    chosen = -1;
    if (greedy || at >= vocab) {
      chosen = at < vocab ? at : 0;
    }
  }
  __syncthreads();
  if (chosen < 0) {
    // the segment where the running total passes u * total, and the total before it
    __shared__ int segment;
    __shared__ double before;
    __shared__ double target;
    if (t == 0) {
      double total = 0.0;
      for (int i = 0; i < kSampleSegments; i++) {
        total += weights[i];
      }
      target = uniforms[min(*step, static_cast<int64_t>(steps - 1)) * rows + r] * total;  // the host keeps step < steps
      double running = 0.0;
      segment = -1;
      for (int i = 0; i < kSampleSegments; i++) {
        if (weights[i] > 0.0) {
          if (running + weights[i] > target) {
            segment = i;
            break;
          }
          running += weights[i];
        }
      }
      before = running;
      if (segment < 0) {  // u * total not passed (rounding): the last segment with weight
        for (int i = kSampleSegments - 1; i >= 0; i--) {
          if (weights[i] > 0.0) {
            segment = i;
            break;
          }
        }
        before = -INFINITY;  // take its last id with weight
      }
    }
    __syncthreads();
    const int lo = segment * per;
    const int hi = min(vocab, lo + per);
    const int each = (per + kSampleThreads - 1) / kSampleThreads;
    const int mine = lo + t * each;
    double sum = 0.0;
    for (int i = mine; i < min(hi, mine + each); i++) {
      sum += sampleWeight(x[i], temperature, maxScaled);
    }
    threadSums[t] = sum;
    __syncthreads();
    if (t == 0) {
      int pick = -1;
      if (before != -INFINITY) {
        double running = before;
        for (int u = 0; u < kSampleThreads && pick < 0; u++) {
          const int from = lo + u * each;
          if (from >= hi) {
            break;
          }
          if (running + threadSums[u] <= target) {  // not in this thread's ids
            running += threadSums[u];
            continue;
          }
          for (int i = from; i < min(hi, from + each); i++) {
            const double w = sampleWeight(x[i], temperature, maxScaled);
            if (w > 0.0) {
              running += w;
              if (running > target) {
                pick = i;
                break;
              }
            }
          }
        }
      }
      if (pick < 0) {  // u * total not passed (rounding): the segment's last id with weight
        for (int i = hi - 1; i >= lo && pick < 0; i--) {
          if (sampleWeight(x[i], temperature, maxScaled) > 0.0) {
            pick = i;
          }
        }
      }
      chosen = pick >= 0 ? pick : lo;
    }
    __syncthreads();
  }
  if (t == 0) {
    tokens[r] = chosen;
    result[r] = static_cast<float>(chosen);
    result[rows + r] = anyBad ? NAN : static_cast<float>(static_cast<double>(x[chosen]) - logNormaliser);
  }
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

template <int D, int G>
void launchAttentionPartsFor(dim3 grid, cudaStream_t s, const bf16* q, const bf16* keys, const bf16* values,
                             const int64_t* slot, const int64_t* padding, int window, int heads, int kvHeads,
                             int capacity, int chunk, float* workspace) {
  attentionPartsKernel<D, G><<<grid, 32 * kAttentionWarps, 0, s>>>(q, keys, values, slot, padding, window, heads,
                                                                  kvHeads, capacity, chunk, workspace);
}

template <int D>
void launchAttentionPartsD(int group, dim3 grid, cudaStream_t s, const bf16* q, const bf16* keys, const bf16* values,
                           const int64_t* slot, const int64_t* padding, int window, int heads, int kvHeads,
                           int capacity, int chunk, float* workspace) {
  switch (group) {
#define SAPLING_GROUP(G)                                                                                       \
  case G:                                                                                                      \
    launchAttentionPartsFor<D, G>(grid, s, q, keys, values, slot, padding, window, heads, kvHeads, capacity, \
                                  chunk, workspace);                                                           \
    break;
    SAPLING_GROUP(1) SAPLING_GROUP(2) SAPLING_GROUP(3) SAPLING_GROUP(4) SAPLING_GROUP(5) SAPLING_GROUP(6)
    SAPLING_GROUP(7) SAPLING_GROUP(8)
#undef SAPLING_GROUP
  }
}

void launchAttentionParts(int d, int group, dim3 grid, cudaStream_t s, const bf16* q, const bf16* keys,
                          const bf16* values, const int64_t* slot, const int64_t* padding, int window, int heads,
                          int kvHeads, int capacity, int chunk, float* workspace) {
  if (d == 2) {
    launchAttentionPartsD<2>(group, grid, s, q, keys, values, slot, padding, window, heads, kvHeads, capacity, chunk,
                             workspace);
  } else {
    launchAttentionPartsD<4>(group, grid, s, q, keys, values, slot, padding, window, heads, kvHeads, capacity, chunk,
                             workspace);
  }
}

extern "C" long sapling_decode_attention_workspace(int rows, int heads, int head_dim, int capacity) {
  const int chunk = attentionChunk(capacity);
  const long parts = static_cast<long>((capacity + chunk - 1) / chunk) * kAttentionWarps;
  return static_cast<long>(rows) * heads * parts * (head_dim + 2);
}

extern "C" const char* sapling_decode_attention(const void* q, const void* keys, const void* values,
                                                const int64_t* slot, const int64_t* padding, int window, int rows,
                                                int heads, int kv_heads, int head_dim, int capacity, void* workspace,
                                                void* out, void* stream) {
  if (rows < 1 || kv_heads < 1 || heads % kv_heads != 0 || heads / kv_heads > kMaxGroup || capacity < 1 ||
      (head_dim != 64 && head_dim != 128)) {
    return "sapling_decode_attention: unsupported shape";
  }
  const int chunk = attentionChunk(capacity);
  const int chunks = (capacity + chunk - 1) / chunk;
  cudaStream_t s = static_cast<cudaStream_t>(stream);
  dim3 grid(chunks, kv_heads, rows);
  launchAttentionParts(head_dim / 32, heads / kv_heads, grid, s, static_cast<const bf16*>(q),
                       static_cast<const bf16*>(keys), static_cast<const bf16*>(values), slot, padding, window, heads,
                       kv_heads, capacity, chunk, static_cast<float*>(workspace));
  const char* error = launchError();
  if (error != nullptr) {
    return error;
  }
  attentionCombineKernel<<<dim3(heads, rows), head_dim, 0, s>>>(static_cast<const float*>(workspace), heads, kv_heads,
                                                                head_dim, chunks * kAttentionWarps,
                                                                static_cast<bf16*>(out));
  return launchError();
}

extern "C" long sapling_sample_workspace(int rows) { return static_cast<long>(rows) * kSampleSegments * kSegmentStats; }

extern "C" const char* sapling_sample(const float* logits, int rows, int vocab, const double* uniforms, int steps,
                                      const int64_t* step, double temperature, int greedy, void* workspace,
                                      int64_t* tokens, float* result, void* stream) {
  if (rows < 1 || vocab < 1 || steps < 1 || !(temperature > 0.0)) {
    return "sapling_sample: bad rows, vocabulary or temperature";
  }
  cudaStream_t s = static_cast<cudaStream_t>(stream);
  sampleSegmentsKernel<<<dim3(kSampleSegments, rows), kSampleThreads, 0, s>>>(logits, vocab, temperature,
                                                                             static_cast<double*>(workspace));
  const char* error = launchError();
  if (error != nullptr) {
    return error;
  }
  sampleChooseKernel<<<rows, kSampleThreads, 0, s>>>(logits, rows, vocab, uniforms, steps, step, temperature, greedy,
                                                     static_cast<const double*>(workspace), tokens, result);
  return launchError();
}

// Whether this library holds machine code (or PTX) the current GPU can run: built for sm_80 and sm_90, so an older
// GPU (a V100, a T4) gets the ATen ops instead of a launch failure.
extern "C" int sapling_decode_kernels_run_here() {
  cudaFuncAttributes attributes;
  const bool ok = cudaFuncGetAttributes(&attributes, ropeStoreKernel) == cudaSuccess;
  cudaGetLastError();  // a refusal must not stay as the sticky last error
  return ok ? 1 : 0;
}
