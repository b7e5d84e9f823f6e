// Binds Sapling's small-batch decode kernels (cuda/decode_kernels.cu) to ATen tensors: checks that the inputs suit
// a kernel (else returns an undefined tensor and the caller runs ATen ops), allocates the output and launches on the
// current CUDA stream, so the kernels are captured by CUDA graphs like any ATen op. Built only with a CUDA PyTorch
// and nvcc (CMakeLists.txt); registers itself in bridge::decodeKernels (decode_kernels_aten.h) when the library loads.
#include "cuda/decode_kernels_aten.h"

#include "common/bridge.h"
#include "cuda/decode_kernels.h"

#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAStream.h>

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string>

using namespace bridge;

namespace {

// Rows up to which the kernels beat ATen (measured on an H200, bench/decode_kernels_bench.cu): at 4 rows the products
// read x once per row and lose to cuBLAS; attention still wins.
constexpr int64_t kMaxProductRows = 2;
constexpr int64_t kMaxRows = 4;
constexpr int64_t kMaxNormBytes = 47 * 1024;  // decode_kernels.cu's kMaxSharedBytes

bool aligned16(const at::Tensor& t) { return reinterpret_cast<std::uintptr_t>(t.data_ptr()) % 16 == 0; }

// Whether the kernels have code for this GPU, asked once per device.
bool runsOn(int device) {
  static std::atomic<int> answers[64];  // 0 not asked, 1 yes, 2 no
  if (device < 0 || device >= 64) {
    return false;
  }
  if (answers[device].load() == 0) {
    answers[device].store(sapling_decode_kernels_run_here() == 1 ? 1 : 2);
  }
  return answers[device].load() == 1;
}

// Whether t is a bf16 tensor on the current CUDA device (the kernels launch there) and the kernels run on it.
bool onCurrentDevice(const at::Tensor& t) {
  return t.defined() && t.is_cuda() && t.scalar_type() == at::kBFloat16 &&
         t.device().index() == c10::cuda::current_device() && runsOn(t.device().index());
}

std::atomic<int64_t> launched{0};

int64_t launches() { return launched.load(); }

void check(const char* error, const char* kernel) {
  ++launched;
  if (error != nullptr) {
    throw std::runtime_error(std::string("Sapling's decode kernel ") + kernel + " failed: " + error);
  }
}

void* currentStream() { return c10::cuda::getCurrentCUDAStream().stream(); }

at::Tensor product(const at::Tensor& x, const at::Tensor& norm, double eps, const at::Tensor& weight, int epilogue,
                   const at::Tensor& add) {
  if (!decodeKernelsEnabled || !onCurrentDevice(x) || !onCurrentDevice(weight) || x.dim() < 1 || weight.dim() != 2) {
    return {};
  }
  const int64_t k = x.size(-1);
  at::Tensor rows = x.reshape({-1, k});
  const int64_t m = rows.size(0);
  if (m < 1 || m > kMaxProductRows || k % 8 != 0 || rows.stride(1) != 1 || rows.stride(0) % 8 != 0 || !aligned16(rows)) {
    return {};
  }
  // [K, N] as the transposed view of a row-major [N, K]: a weight row is a contiguous output row
  const int64_t rowStride = weight.stride(1);
  if (weight.size(0) != k || weight.stride(0) != 1 || rowStride < k || rowStride % 8 != 0 || !aligned16(weight)) {
    return {};
  }
  int64_t n = weight.size(1);
  if (epilogue == SAPLING_SWIGLU) {
    if (n % 2 != 0) {
      return {};
    }
    n /= 2;
  }
  if (norm.defined() &&
      (!onCurrentDevice(norm) || !norm.is_contiguous() || norm.numel() != k || m * k * 2 > kMaxNormBytes)) {
    return {};
  }
  at::Tensor addRows;
  int64_t addStride = 0;
  if (epilogue == SAPLING_ADD) {
    if (!onCurrentDevice(add)) {
      return {};
    }
    if (add.dim() == 1) {  // a bias, the same for every row
      if (add.numel() != n || !add.is_contiguous()) {
        return {};
      }
      addRows = add;
    } else {
      if (add.size(-1) != n || add.numel() != m * n) {
        return {};
      }
      addRows = add.reshape({m, n});
      if (addRows.stride(1) != 1) {
        return {};
      }
      addStride = addRows.stride(0);
    }
  }
  std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end());
  shape.back() = n;
  at::Tensor out = at::empty(shape, x.options().dtype(epilogue == SAPLING_STORE_FLOAT ? at::kFloat : at::kBFloat16));
  check(sapling_decode_product(rows.data_ptr(), rows.stride(0), norm.defined() ? norm.data_ptr() : nullptr,
                               static_cast<float>(eps), weight.data_ptr(), rowStride, static_cast<int>(m),
                               static_cast<int>(k), static_cast<int>(n), epilogue,
                               addRows.defined() ? addRows.data_ptr() : nullptr, addStride, out.data_ptr(), n,
                               currentStream()),
        "product");
  return out;
}

at::Tensor ropeStore(const at::Tensor& qkv, int64_t heads, int64_t kvHeads, const at::Tensor& cos,
                     const at::Tensor& sin, const at::Tensor& keys, const at::Tensor& values, const at::Tensor& slot) {
  if (!decodeKernelsEnabled || !onCurrentDevice(qkv) || !onCurrentDevice(cos) || !onCurrentDevice(sin) ||
      !onCurrentDevice(keys) || !onCurrentDevice(values) || !slot.defined() || !slot.is_cuda() ||
      slot.scalar_type() != at::kLong || slot.device() != qkv.device() || slot.numel() != 1) {
    return {};
  }
  if (keys.dim() != 4 || !keys.is_contiguous() || !values.is_contiguous() || keys.sizes() != values.sizes() ||
      keys.size(1) != kvHeads) {
    return {};
  }
  const int64_t b = keys.size(0);
  const int64_t capacity = keys.size(2);
  const int64_t hd = keys.size(3);
  if (hd % 2 != 0 || qkv.dim() != 3 || qkv.size(0) != b || qkv.size(1) != 1 ||
      qkv.size(2) != (heads + 2 * kvHeads) * hd || qkv.stride(2) != 1) {
    return {};
  }
  if (cos.numel() != b * hd || sin.numel() != b * hd || !cos.is_contiguous() || !sin.is_contiguous()) {
    return {};
  }
  at::Tensor q = at::empty({b, 1, heads, hd}, qkv.options());
  check(sapling_rope_store(qkv.data_ptr(), qkv.stride(0), cos.data_ptr(), sin.data_ptr(), hd, static_cast<int>(b),
                           static_cast<int>(heads), static_cast<int>(kvHeads), static_cast<int>(hd),
                           slot.data_ptr<int64_t>(), q.data_ptr(), keys.data_ptr(), values.data_ptr(),
                           static_cast<int>(capacity), currentStream()),
        "rope_store");
  return q;
}

bool isDeviceLong(const at::Tensor& t, const at::Device& device, int64_t numel) {
  return t.defined() && t.device() == device && t.scalar_type() == at::kLong && t.numel() == numel &&
         t.is_contiguous();
}

at::Tensor attention(const at::Tensor& q, const at::Tensor& keys, const at::Tensor& values, const at::Tensor& slot,
                     const at::Tensor& padding, int64_t window) {
  if (!decodeKernelsEnabled || !onCurrentDevice(q) || !onCurrentDevice(keys) || !onCurrentDevice(values) ||
      q.dim() != 4 || q.size(1) != 1 || !q.is_contiguous() || keys.dim() != 4 || !keys.is_contiguous() ||
      !values.is_contiguous() || keys.sizes() != values.sizes()) {
    return {};
  }
  const int64_t b = q.size(0);
  const int64_t heads = q.size(2);
  const int64_t hd = q.size(3);
  const int64_t kvHeads = keys.size(1);
  const int64_t capacity = keys.size(2);
  if (b > kMaxRows || keys.size(0) != b || keys.size(3) != hd || heads % kvHeads != 0 || heads / kvHeads > 8 ||
      (hd != 64 && hd != 128) || window < 0 || !aligned16(keys) || !aligned16(values) ||
      !isDeviceLong(slot, q.device(), 1) || !isDeviceLong(padding, q.device(), b)) {
    return {};
  }
  at::Tensor workspace = at::empty({sapling_decode_attention_workspace(static_cast<int>(b), static_cast<int>(heads),
                                                                      static_cast<int>(hd),
                                                                      static_cast<int>(capacity))},
                                   q.options().dtype(at::kFloat));
  at::Tensor out = at::empty({b, 1, heads * hd}, q.options());
  check(sapling_decode_attention(q.data_ptr(), keys.data_ptr(), values.data_ptr(), slot.data_ptr<int64_t>(),
                                 padding.data_ptr<int64_t>(), static_cast<int>(window), static_cast<int>(b),
                                 static_cast<int>(heads), static_cast<int>(kvHeads), static_cast<int>(hd),
                                 static_cast<int>(capacity), workspace.data_ptr(), out.data_ptr(), currentStream()),
        "attention");
  return out;
}

at::Tensor sample(const at::Tensor& logits, const at::Tensor& uniforms, const at::Tensor& step, double temperature,
                  bool greedy, const at::Tensor& tokens) {
  if (!decodeKernelsEnabled || !logits.defined() || !logits.is_cuda() || logits.scalar_type() != at::kFloat ||
      !logits.is_contiguous() || logits.device().index() != c10::cuda::current_device() ||
      !runsOn(logits.device().index()) || !(temperature > 0.0)) {
    return {};
  }
  const int64_t rows = tokens.numel();
  const int64_t vocab = logits.size(-1);
  if (rows < 1 || logits.numel() != rows * vocab || !isDeviceLong(tokens, logits.device(), rows) ||
      !isDeviceLong(step, logits.device(), 1) || !uniforms.defined() || uniforms.device() != logits.device() ||
      uniforms.scalar_type() != at::kDouble || !uniforms.is_contiguous() || uniforms.dim() != 2 ||
      uniforms.size(1) != rows) {
    return {};
  }
  at::Tensor workspace = at::empty({sapling_sample_workspace(static_cast<int>(rows))},
                                   logits.options().dtype(at::kDouble));
  at::Tensor result = at::empty({2, rows}, logits.options());
  check(sapling_sample(logits.data_ptr<float>(), static_cast<int>(rows), static_cast<int>(vocab),
                       uniforms.data_ptr<double>(), static_cast<int>(uniforms.size(0)), step.data_ptr<int64_t>(),
                       temperature, greedy ? 1 : 0,
                       workspace.data_ptr(), tokens.data_ptr<int64_t>(), result.data_ptr<float>(), currentStream()),
        "sample");
  return result;
}

const DecodeKernels kernels{&product, &ropeStore, &attention, &sample, &launches};

struct Register {
  Register() { decodeKernels = &kernels; }
} registerAtLoad;

}  // namespace
