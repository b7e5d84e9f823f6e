// Tensor lifetime, properties, creation and host/device transfer.
#include "common/bridge.h"

#include <cstring>

using namespace bridge;

namespace {

// Converts a freshly made strided tensor to the layout DJL asked for.
at::Tensor withLayout(at::Tensor t, jint l) {
  if (l == 1) {
    return t.to_sparse();
  }
  if (l == 2) {
    return t.to_mkldnn();
  }
  return t;
}

}  // namespace

extern "C" {

JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchDeleteTensor(JNIEnv* env, jobject, jlong h) {
  guarded(env, [&] { delete reinterpret_cast<at::Tensor*>(h); });
}

JNIEXPORT jlongArray JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchSizes(JNIEnv* env, jobject, jlong h) {
  return guarded(env, [&] {
    auto s = tensor(h).sizes();
    return longArray(env, std::vector<int64_t>(s.begin(), s.end()));
  });
}

JNIEXPORT jint JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchDType(JNIEnv* env, jobject, jlong h) {
  return guarded(env, [&] { return djlType(tensor(h).scalar_type()); });
}

JNIEXPORT jintArray JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchDevice(JNIEnv* env, jobject, jlong h) {
  return guarded(env, [&] { return djlDevice(env, tensor(h).device()); });
}

JNIEXPORT jint JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchLayout(JNIEnv* env, jobject, jlong h) {
  return guarded(env, [&] { return djlLayout(tensor(h).layout()); });
}

JNIEXPORT jboolean JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchIsContiguous(JNIEnv* env, jobject, jlong h) {
  return guarded(env, [&] { return static_cast<jboolean>(tensor(h).is_contiguous()); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchToContiguous(JNIEnv* env, jobject, jlong h) {
  return unary(env, h, [](const at::Tensor& t) { return t.contiguous(); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_tensorClone(JNIEnv* env, jobject, jlong h) {
  return unary(env, h, [](const at::Tensor& t) { return t.clone(); });
}

// Copies the tensor's elements into a new Java byte[] (host order).
JNIEXPORT jbyteArray JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchDataPtr(JNIEnv* env, jobject, jlong h) {
  return guarded(env, [&]() -> jbyteArray {
    at::Tensor t = tensor(h);
    if (t.is_mkldnn() || t.is_sparse()) {
      t = t.to_dense();
    }
    t = t.to(at::kCPU).contiguous();
    auto bytes = static_cast<jsize>(t.nbytes());
    jbyteArray out = env->NewByteArray(bytes);
    if (bytes > 0) {
      env->SetByteArrayRegion(out, 0, bytes, static_cast<const jbyte*>(t.data_ptr()));
    }
    return out;
  });
}

// A direct buffer over the tensor's own memory; DJL only asks for contiguous CPU tensors it keeps alive.
JNIEXPORT jobject JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchDirectByteBuffer(JNIEnv* env, jobject,
                                                                                      jlong h) {
  return guarded(env, [&]() -> jobject {
    const at::Tensor& t = tensor(h);
    if (!t.device().is_cpu() || !t.is_contiguous()) {
      throw std::invalid_argument("torchDirectByteBuffer needs a contiguous CPU tensor");
    }
    return env->NewDirectByteBuffer(t.data_ptr(), static_cast<jlong>(t.nbytes()));
  });
}

// Changes dtype and/or device. DJL calls this with both unchanged only when it asked for a copy.
JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchTo(JNIEnv* env, jobject, jlong h, jint dType,
                                                                      jintArray dev) {
  return guarded(env, [&] {
    const at::Tensor& t = tensor(h);
    at::ScalarType type = scalarType(dType);
    at::Device target = device(env, dev);
    if (t.scalar_type() == type && t.device() == target) {
      return wrap(t.clone());
    }
    return wrap(t.to(target, type, /*non_blocking=*/false, /*copy=*/false));
  });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchToSparse(JNIEnv* env, jobject, jlong h) {
  return unary(env, h, [](const at::Tensor& t) { return t.to_sparse(); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchToDense(JNIEnv* env, jobject, jlong h) {
  return unary(env, h, [](const at::Tensor& t) { return t.to_dense(); });
}

// Wraps (CPU, strided) or copies (GPU, sparse, MKL-DNN) a direct buffer. On the CPU DJL keeps the buffer alive
// for as long as the array, so no copy is made.
JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchFromBlob(JNIEnv* env, jobject, jobject data,
                                                                            jlongArray shape, jint dType, jint l,
                                                                            jintArray dev, jboolean requiresGrad) {
  return guarded(env, [&] {
    std::vector<int64_t> dims = longs(env, shape);
    at::ScalarType type = scalarType(dType);
    at::Device target = device(env, dev);
    auto cpu = at::TensorOptions().dtype(type).device(at::kCPU);
    int64_t count = 1;
    for (int64_t d : dims) {
      count *= d;
    }
    void* address = env->GetDirectBufferAddress(data);
    if (address == nullptr && count > 0) {
      throw std::invalid_argument("torchFromBlob needs a direct ByteBuffer");
    }
    jlong capacity = env->GetDirectBufferCapacity(data);
    if (capacity >= 0 && capacity < static_cast<jlong>(count * c10::elementSize(type))) {
      throw std::invalid_argument("buffer of " + std::to_string(capacity) + " bytes is too small for " +
                                  std::to_string(count) + " elements of " + std::string(c10::toString(type)));
    }
    at::Tensor t = count == 0 ? at::empty(dims, cpu) : at::from_blob(address, dims, cpu);
    if (!target.is_cpu()) {
      t = t.to(target, type, /*non_blocking=*/false, /*copy=*/true);
    } else if (l != 0) {
      t = withLayout(t, l);
    }
    if (requiresGrad == JNI_TRUE) {
      t.requires_grad_(true);
    }
    return wrap(t);
  });
}

// Overwrites the tensor's elements with the buffer's bytes (same dtype and element count).
JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchSet(JNIEnv* env, jobject, jlong h, jobject data) {
  guarded(env, [&] {
    at::Tensor& t = tensor(h);
    void* address = env->GetDirectBufferAddress(data);
    if (address == nullptr && t.numel() > 0) {
      throw std::invalid_argument("torchSet needs a direct ByteBuffer");
    }
    if (t.numel() == 0) {
      return;
    }
    at::Tensor source = at::from_blob(address, t.sizes(), at::TensorOptions().dtype(t.scalar_type()));
    c10::NoGradGuard noGrad;
    t.copy_(source);
  });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchEmpty(JNIEnv* env, jobject, jlongArray shape,
                                                                         jint dType, jint l, jintArray dev,
                                                                         jboolean rg) {
  return guarded(env, [&] { return wrap(withLayout(at::empty(longs(env, shape), options(env, dType, l, dev, rg)), l)); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchZeros(JNIEnv* env, jobject, jlongArray shape,
                                                                         jint dType, jint l, jintArray dev,
                                                                         jboolean rg) {
  return guarded(env, [&] { return wrap(withLayout(at::zeros(longs(env, shape), options(env, dType, l, dev, rg)), l)); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchOnes(JNIEnv* env, jobject, jlongArray shape,
                                                                        jint dType, jint l, jintArray dev,
                                                                        jboolean rg) {
  return guarded(env, [&] { return wrap(withLayout(at::ones(longs(env, shape), options(env, dType, l, dev, rg)), l)); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchFull(JNIEnv* env, jobject, jlongArray shape,
                                                                        jdouble fill, jint dType, jint l,
                                                                        jintArray dev, jboolean rg) {
  return guarded(env, [&] {
    return wrap(withLayout(at::full(longs(env, shape), fill, options(env, dType, l, dev, rg)), l));
  });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchZerosLike(JNIEnv* env, jobject, jlong h,
                                                                             jint dType, jint l, jintArray dev,
                                                                             jboolean rg) {
  return guarded(env, [&] { return wrap(withLayout(at::zeros_like(tensor(h), options(env, dType, l, dev, rg)), l)); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchOnesLike(JNIEnv* env, jobject, jlong h,
                                                                            jint dType, jint l, jintArray dev,
                                                                            jboolean rg) {
  return guarded(env, [&] { return wrap(withLayout(at::ones_like(tensor(h), options(env, dType, l, dev, rg)), l)); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchSparseCoo(JNIEnv* env, jobject,
                                                                             jlongArray shape, jlong indices,
                                                                             jlong values, jboolean rg) {
  return guarded(env, [&] {
    at::Tensor t = at::sparse_coo_tensor(tensor(indices), tensor(values), longs(env, shape));
    if (rg == JNI_TRUE) {
      t.requires_grad_(true);
    }
    return wrap(t);
  });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchArange(JNIEnv* env, jobject, jfloat start,
                                                                          jfloat end, jfloat step, jint dType,
                                                                          jint l, jintArray dev, jboolean rg) {
  return guarded(env, [&] { return wrap(at::arange(start, end, step, options(env, dType, l, dev, rg))); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchLinspace(JNIEnv* env, jobject, jfloat start,
                                                                            jfloat end, jint steps, jint dType,
                                                                            jint l, jintArray dev, jboolean rg) {
  return guarded(env, [&] { return wrap(at::linspace(start, end, steps, options(env, dType, l, dev, rg))); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchEye(JNIEnv* env, jobject, jint n, jint m,
                                                                       jint dType, jint l, jintArray dev,
                                                                       jboolean rg) {
  return guarded(env, [&] { return wrap(withLayout(at::eye(n, m, options(env, dType, l, dev, rg)), l)); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchRandint(JNIEnv* env, jobject, jlong low,
                                                                           jlong high, jlongArray sizes,
                                                                           jint dType, jint l, jintArray dev,
                                                                           jboolean rg) {
  return guarded(env, [&] { return wrap(at::randint(low, high, longs(env, sizes), options(env, dType, l, dev, rg))); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchRandPerm(JNIEnv* env, jobject, jlong n,
                                                                            jint dType, jint l, jintArray dev,
                                                                            jboolean rg) {
  return guarded(env, [&] { return wrap(at::randperm(n, options(env, dType, l, dev, rg))); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchNormal(JNIEnv* env, jobject, jdouble mean,
                                                                          jdouble std, jlongArray sizes,
                                                                          jint dType, jint l, jintArray dev,
                                                                          jboolean rg) {
  return guarded(env, [&] {
    at::Tensor t = at::empty(longs(env, sizes), options(env, dType, l, dev, JNI_FALSE));
    t.normal_(mean, std);
    if (rg == JNI_TRUE) {
      t.requires_grad_(true);
    }
    return wrap(t);
  });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_tensorUniform(JNIEnv* env, jobject, jdouble from,
                                                                            jdouble to, jlongArray sizes,
                                                                            jint dType, jint l, jintArray dev,
                                                                            jboolean rg) {
  return guarded(env, [&] {
    at::Tensor t = at::empty(longs(env, sizes), options(env, dType, l, dev, JNI_FALSE));
    t.uniform_(from, to);
    if (rg == JNI_TRUE) {
      t.requires_grad_(true);
    }
    return wrap(t);
  });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchHannWindow(JNIEnv* env, jobject, jlong n,
                                                                              jboolean periodic, jintArray dev) {
  return guarded(env, [&] {
    return wrap(at::hann_window(n, periodic == JNI_TRUE, at::TensorOptions().device(device(env, dev))));
  });
}

JNIEXPORT jboolean JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_contentEqual(JNIEnv* env, jobject, jlong a,
                                                                              jlong b) {
  return guarded(env, [&] {
    const at::Tensor& x = tensor(a);
    const at::Tensor& y = tensor(b);
    if (x.scalar_type() != y.scalar_type() || x.sizes() != y.sizes()) {
      return static_cast<jboolean>(false);
    }
    return static_cast<jboolean>(at::equal(x, y.to(x.device())));
  });
}

}  // extern "C"
