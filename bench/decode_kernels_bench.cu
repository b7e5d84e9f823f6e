// Times Sapling's small-batch decode kernels (src/main/native/cuda/decode_kernels.cu) one by one on a GPU, at
// the Llama-3.2-1B shapes, with CUDA events over many launches (no PyTorch, no Java): where a kernel's time goes when
// the decode step's trace says it is slow. Build and run on the GPU host:
//   nvcc -std=c++17 -O3 -arch=sm_90 -I src/main/native/cuda bench/decode_kernels_bench.cu -o /tmp/kbench && /tmp/kbench
// Prints one line per kernel and shape: microseconds per call (CUDA-graph replays) and the weights read per second.
#include "decode_kernels.cu"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

void check(const char* error, const char* what) {
  if (error != nullptr) {
    std::fprintf(stderr, "%s: %s\n", what, error);
    std::exit(1);
  }
}

void* deviceBuffer(size_t bytes, unsigned char fill) {
  void* p = nullptr;
  if (cudaMalloc(&p, bytes) != cudaSuccess) {
    std::fprintf(stderr, "cudaMalloc of %zu bytes failed\n", bytes);
    std::exit(1);
  }
  cudaMemset(p, fill, bytes);
  return p;
}

// Microseconds per call of f(stream), the median of 5 replays of a CUDA graph of `calls` calls (no host launch cost,
// as in Sapling's recorded decode step).
template <typename F>
double time(F f, int calls) {
  cudaStream_t stream;
  cudaStreamCreate(&stream);
  cudaGraph_t graph;
  cudaGraphExec_t exec;
  cudaStreamBeginCapture(stream, cudaStreamCaptureModeGlobal);
  for (int i = 0; i < calls; i++) {
    f(stream);
  }
  cudaStreamEndCapture(stream, &graph);
  cudaGraphInstantiate(&exec, graph, 0);
  cudaGraphLaunch(exec, stream);
  cudaStreamSynchronize(stream);
  cudaEvent_t start;
  cudaEvent_t stop;
  cudaEventCreate(&start);
  cudaEventCreate(&stop);
  std::vector<float> rounds;
  for (int round = 0; round < 5; round++) {
    cudaEventRecord(start, stream);
    cudaGraphLaunch(exec, stream);
    cudaEventRecord(stop, stream);
    cudaEventSynchronize(stop);
    float ms = 0;
    cudaEventElapsedTime(&ms, start, stop);
    rounds.push_back(ms * 1000 / calls);
  }
  cudaGraphExecDestroy(exec);
  cudaGraphDestroy(graph);
  cudaStreamDestroy(stream);
  std::sort(rounds.begin(), rounds.end());
  return rounds[2];
}

}  // namespace

int main() {
  const int hidden = 2048;
  const int inter = 8192;
  const int heads = 32;
  const int kvHeads = 8;
  const int hd = 64;
  const int vocab = 128256;
  // bf16 0x3c00-ish fill keeps values finite (0x3c3c = 0.0115)
  void* x = deviceBuffer(4 * inter * 2, 0x3c);
  void* norm = deviceBuffer(hidden * 2, 0x3c);
  void* out = deviceBuffer(4 * static_cast<size_t>(vocab) * 4, 0);
  void* residual = deviceBuffer(4 * hidden * 2, 0x3c);
  struct Product {
    const char* name;
    int K;
    int N;  // outputs (SwiGLU: half the weight rows)
    bool norm;
    int epilogue;
  };
  const Product products[] = {
      {"qkv (norm)", hidden, (heads + 2 * kvHeads) * hd, true, SAPLING_STORE},
      {"output (+residual)", heads * hd, hidden, false, SAPLING_ADD},
      {"gate+up (norm, SwiGLU)", hidden, inter, true, SAPLING_SWIGLU},
      {"down (+residual)", inter, hidden, false, SAPLING_ADD},
      {"lm head (norm, float)", hidden, vocab, true, SAPLING_STORE_FLOAT},
  };
  for (const Product& p : products) {
    const size_t rows = static_cast<size_t>(p.N) * (p.epilogue == SAPLING_SWIGLU ? 2 : 1);
    void* w = deviceBuffer(rows * p.K * 2, 0x3c);
    for (int m = 1; m <= 4; m *= 2) {
      double us = time([&](cudaStream_t stream) {
        check(sapling_decode_product(x, p.K, p.norm ? norm : nullptr, 1e-5f, w, p.K, m, p.K, p.N, p.epilogue,
                                     residual, p.N, out, p.N, stream),
              p.name);
      }, 200);
      std::printf("product %-24s rows %d: %8.2f us  %6.2f TB/s of weights\n", p.name, m, us,
                  rows * p.K * 2 / us / 1e6);
    }
    cudaFree(w);
  }
  for (int capacity : {64, 384, 2048, 4096}) {
    void* q = deviceBuffer(heads * hd * 2, 0x3c);
    void* keys = deviceBuffer(static_cast<size_t>(kvHeads) * capacity * hd * 2, 0x3c);
    void* values = deviceBuffer(static_cast<size_t>(kvHeads) * capacity * hd * 2, 0x3c);
    int64_t host[2] = {capacity - 1, 0};
    int64_t* slotPadding = static_cast<int64_t*>(deviceBuffer(sizeof(host), 0));
    cudaMemcpy(slotPadding, host, sizeof(host), cudaMemcpyHostToDevice);
    void* workspace = deviceBuffer(sapling_decode_attention_workspace(1, heads, hd, capacity) * 4, 0);
    double us = time([&](cudaStream_t stream) {
      check(sapling_decode_attention(q, keys, values, slotPadding, slotPadding + 1, 0, 1, heads, kvHeads, hd,
                                     capacity, workspace, out, stream),
            "attention");
    }, 200);
    std::printf("attention capacity %5d: %8.2f us (parts + combine)\n", capacity, us);
    cudaFree(q);
    cudaFree(keys);
    cudaFree(values);
    cudaFree(slotPadding);
    cudaFree(workspace);
  }
  {
    void* logits = deviceBuffer(static_cast<size_t>(vocab) * 4, 0x3c);
    std::vector<double> u(64, 0.5);
    double* uniforms = static_cast<double*>(deviceBuffer(u.size() * 8, 0));
    cudaMemcpy(uniforms, u.data(), u.size() * 8, cudaMemcpyHostToDevice);
    int64_t* step = static_cast<int64_t*>(deviceBuffer(16, 0));
    void* workspace = deviceBuffer(sapling_sample_workspace(1) * 8, 0);
    for (int greedy = 0; greedy < 2; greedy++) {
      double us = time([&](cudaStream_t stream) {
        check(sapling_sample(static_cast<const float*>(logits), 1, vocab, uniforms, 64, step, 1.0, greedy, workspace,
                             step + 1, static_cast<float*>(out), stream),
              "sample");
      }, 200);
      std::printf("sample %s: %8.2f us\n", greedy ? "greedy" : "T=1", us);
    }
  }
  const cudaError_t e = cudaDeviceSynchronize();
  std::printf("%s\n", e == cudaSuccess ? "done" : cudaGetErrorString(e));
  return e == cudaSuccess ? 0 : 1;
}
