// Binds Sapling's small-batch decode kernels (kernels/decode_kernels.cu) to ATen tensors: checks that the inputs suit
// a kernel (else returns an undefined tensor and the caller runs ATen ops), allocates the output and launches on the
// current CUDA stream, so the kernels are captured by CUDA graphs like any ATen op. Built only with a CUDA PyTorch
// and nvcc (CMakeLists.txt); registers itself in bridge::decodeKernels when the library loads.
#include "bridge.h"
#include "kernels/decode_kernels.h"

#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAStream.h>

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string>

using namespace bridge;

namespace {

constexpr int64_t kMaxRows = 4;
constexpr int64_t kMaxNormBytes = 48 * 1024;

bool aligned16(const at::Tensor& t) { return reinterpret_cast<std::uintptr_t>(t.data_ptr()) % 16 == 0; }

// Whether t is a bf16 tensor on the current CUDA device (the kernels launch there).
bool onCurrentDevice(const at::Tensor& t) {
  return t.defined() && t.is_cuda() && t.scalar_type() == at::kBFloat16 &&
         t.device().index() == c10::cuda::current_device();
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
  if (m < 1 || m > kMaxRows || k % 8 != 0 || rows.stride(1) != 1 || rows.stride(0) % 8 != 0 || !aligned16(rows)) {
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

const DecodeKernels kernels{&product, &ropeStore, &launches};

struct Register {
  Register() { decodeKernels = &kernels; }
} registerAtLoad;

}  // namespace
