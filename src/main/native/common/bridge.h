// Sapling's JNI bridge between Java and the PyTorch C++ API of the host it is built on: DJL 0.36's engine natives
// (djl-engine/) and Sapling's own (sapling/) share these helpers: handles, dtype and device mapping, array
// conversion and the translation of C++ exceptions into Java exceptions.
//
// A tensor handle is a pointer to a heap-allocated at::Tensor (one reference to the TensorImpl); Java owns it and
// frees it with torchDeleteTensor. Index, module and IValue handles work the same way with their own types.
#pragma once

#include <jni.h>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/version.h>

#include <exception>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#include <optional>
#define BRIDGE_STD_OPTIONAL 1
namespace bridge {
template <class T>
using Opt = std::optional<T>;
}
#else
namespace bridge {
template <class T>
using Opt = c10::optional<T>;
}
#endif

#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 3)
#define BRIDGE_HAS_UNSIGNED 1
#endif

namespace bridge {

// Raised after a Java exception is already pending (for example from InputStream.read), to unwind C++ frames.
struct JavaPending : std::exception {
  const char* what() const noexcept override { return "Java exception pending"; }
};

void throwJava(JNIEnv* env, const char* className, const std::string& message);

// Runs f and turns any C++ exception into ai.djl.engine.EngineException; returns a zero value then.
template <typename F>
auto guarded(JNIEnv* env, F&& f) -> decltype(f()) {
  using R = decltype(f());
  try {
    return f();
  } catch (const JavaPending&) {
    // the Java exception is already set
  } catch (const c10::Error& e) {
    throwJava(env, "ai/djl/engine/EngineException", e.what_without_backtrace());
  } catch (const std::exception& e) {
    throwJava(env, "ai/djl/engine/EngineException", e.what());
  } catch (...) {
    throwJava(env, "ai/djl/engine/EngineException", "unknown C++ exception in the Sapling PyTorch bridge");
  }
  if constexpr (!std::is_void_v<R>) {
    return R{};
  }
}

inline at::Tensor& tensor(jlong handle) {
  if (handle == 0) {
    throw std::invalid_argument("null tensor handle");
  }
  return *reinterpret_cast<at::Tensor*>(handle);
}

inline jlong wrap(at::Tensor t) { return reinterpret_cast<jlong>(new at::Tensor(std::move(t))); }

// DJL DataType ordinal <-> ATen scalar type (BFLOAT16 is ordinal 11).
at::ScalarType scalarType(jint djlType);
jint djlType(at::ScalarType type);

// DJL device {type, id}: type 0 CPU (id -1), 1 GPU (CUDA), 13 MPS.
at::Device device(JNIEnv* env, jintArray djlDevice);
jintArray djlDevice(JNIEnv* env, const at::Device& device);

// DJL layout: 0 strided, 1 sparse COO, 2 MKL-DNN.
at::Layout layout(jint djlLayout);
jint djlLayout(at::Layout layout);

at::TensorOptions options(JNIEnv* env, jint dType, jint layout, jintArray device, jboolean requiresGrad);

std::vector<int64_t> longs(JNIEnv* env, jlongArray array);
jlongArray longArray(JNIEnv* env, const std::vector<int64_t>& values);
jlongArray handles(JNIEnv* env, const std::vector<at::Tensor>& tensors);
std::vector<at::Tensor> tensors(JNIEnv* env, jlongArray handles);
std::string string(JNIEnv* env, jstring s);
jobjectArray stringArray(JNIEnv* env, const std::vector<std::string>& values);

template <typename F>
jlong unary(JNIEnv* env, jlong h, F&& f) {
  return guarded(env, [&] { return wrap(f(tensor(h))); });
}

template <typename F>
jlong binary(JNIEnv* env, jlong a, jlong b, F&& f) {
  return guarded(env, [&] { return wrap(f(tensor(a), tensor(b))); });
}

template <typename F>
void inPlace(JNIEnv* env, jlong a, jlong b, F&& f) {
  guarded(env, [&] { f(tensor(a), tensor(b)); });
}

}  // namespace bridge
