// Neural-network functions, autograd and DJL's optimizer updates.
#include "common/bridge.h"

#include <torch/torch.h>

using namespace bridge;

namespace {

at::Tensor optionalTensor(jlong h) { return h == 0 ? at::Tensor() : tensor(h); }

// Packs RNN parameters the way ATen's rnn functions expect them (a flat list, 2 or 4 per layer and direction).
std::vector<at::Tensor> params(JNIEnv* env, jlongArray hs) { return tensors(env, hs); }

}  // namespace

extern "C" {

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchNNInterpolate(JNIEnv* env, jobject, jlong h,
                                                                                 jlongArray size, jint mode,
                                                                                 jboolean alignCorners) {
  return guarded(env, [&] {
    namespace F = torch::nn::functional;
    std::vector<int64_t> s = longs(env, size);
    auto opts = F::InterpolateFuncOptions().size(s);
    bool align = alignCorners == JNI_TRUE;
    switch (mode) {
      case 0: opts.mode(torch::kNearest); break;
      case 1: opts.mode(torch::kLinear).align_corners(align); break;
      case 2: opts.mode(torch::kBilinear).align_corners(align); break;
      case 3: opts.mode(torch::kBicubic).align_corners(align); break;
      case 4: opts.mode(torch::kTrilinear).align_corners(align); break;
      case 5: opts.mode(torch::kArea); break;
      default: throw std::invalid_argument("interpolation mode " + std::to_string(mode) + " is not supported");
    }
    return wrap(F::interpolate(tensor(h), opts));
  });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchNNLinear(JNIEnv* env, jobject, jlong input,
                                                                            jlong weight, jlong bias) {
  return guarded(env, [&] { return wrap(at::linear(tensor(input), tensor(weight), optionalTensor(bias))); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchNNEmbedding(JNIEnv* env, jobject, jlong input,
                                                                               jlong weight, jboolean sparse) {
  return guarded(env, [&] {
    return wrap(at::embedding(tensor(weight), tensor(input), -1, false, sparse == JNI_TRUE));
  });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchNNRelu(JNIEnv* env, jobject, jlong h) {
  return unary(env, h, [](const at::Tensor& t) { return at::relu(t); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchNNSoftPlus(JNIEnv* env, jobject, jlong h) {
  return unary(env, h, [](const at::Tensor& t) { return at::softplus(t); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchNNSoftSign(JNIEnv* env, jobject, jlong h) {
  return unary(env, h, [](const at::Tensor& t) { return t / (t.abs() + 1); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchNNLeakyRelu(JNIEnv* env, jobject, jlong h,
                                                                               jdouble slope) {
  return guarded(env, [&] { return wrap(at::leaky_relu(tensor(h), slope)); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchNNElu(JNIEnv* env, jobject, jlong h,
                                                                         jdouble alpha) {
  return guarded(env, [&] { return wrap(at::elu(tensor(h), alpha)); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchNNSelu(JNIEnv* env, jobject, jlong h) {
  return unary(env, h, [](const at::Tensor& t) { return at::selu(t); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchNNGelu(JNIEnv* env, jobject, jlong h) {
  return unary(env, h, [](const at::Tensor& t) { return at::gelu(t); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchNNConvNd(JNIEnv* env, jobject, jlong input,
                                                                            jlong weight, jlong bias,
                                                                            jlongArray stride, jlongArray padding,
                                                                            jlongArray dilation, jint groups) {
  return guarded(env, [&] {
    std::vector<int64_t> s = longs(env, stride);
    std::vector<int64_t> p = longs(env, padding);
    std::vector<int64_t> d = longs(env, dilation);
    std::vector<int64_t> outputPadding(s.size(), 0);
    return wrap(at::convolution(tensor(input), tensor(weight), optionalTensor(bias), s, p, d, false,
                                outputPadding, groups));
  });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchNNDropout(JNIEnv* env, jobject, jlong h,
                                                                             jdouble p, jboolean training) {
  return guarded(env, [&] { return wrap(at::dropout(tensor(h), p, training == JNI_TRUE)); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchNNNormalize(JNIEnv* env, jobject, jlong h,
                                                                               jdouble p, jlong dim, jdouble eps) {
  return guarded(env, [&] {
    const at::Tensor& t = tensor(h);
    std::vector<int64_t> dims{dim};
    at::Tensor norm = at::linalg_vector_norm(t, p, at::OptionalIntArrayRef(at::IntArrayRef(dims)), true);
    return wrap(t / norm.clamp_min(eps).expand_as(t));
  });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchNNLayerNorm(JNIEnv* env, jobject, jlong h,
                                                                               jlongArray shape, jlong weight,
                                                                               jlong bias, jdouble eps) {
  return guarded(env, [&] {
    std::vector<int64_t> s = longs(env, shape);
    return wrap(at::layer_norm(tensor(h), s, optionalTensor(weight), optionalTensor(bias), eps));
  });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchNNBatchNorm(JNIEnv* env, jobject, jlong h,
                                                                               jlong runningMean,
                                                                               jlong runningVar, jlong weight,
                                                                               jlong bias, jboolean training,
                                                                               jdouble momentum, jdouble eps) {
  return guarded(env, [&] {
    return wrap(at::batch_norm(tensor(h), optionalTensor(weight), optionalTensor(bias), optionalTensor(runningMean),
                               optionalTensor(runningVar), training == JNI_TRUE, momentum, eps, true));
  });
}

// activation: 0 relu, 1 tanh (DJL's RNN.Activation order).
JNIEXPORT jlongArray JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchNNRnn(
    JNIEnv* env, jobject, jlong input, jlong hx, jlongArray paramHandles, jboolean hasBiases, jint numLayers,
    jint activation, jdouble dropRate, jboolean training, jboolean bidirectional, jboolean batchFirst) {
  return guarded(env, [&] {
    std::vector<at::Tensor> p = params(env, paramHandles);
    std::tuple<at::Tensor, at::Tensor> r;
    if (activation == 0) {
      r = at::rnn_relu(tensor(input), tensor(hx), p, hasBiases == JNI_TRUE, numLayers, dropRate,
                       training == JNI_TRUE, bidirectional == JNI_TRUE, batchFirst == JNI_TRUE);
    } else {
      r = at::rnn_tanh(tensor(input), tensor(hx), p, hasBiases == JNI_TRUE, numLayers, dropRate,
                       training == JNI_TRUE, bidirectional == JNI_TRUE, batchFirst == JNI_TRUE);
    }
    return handles(env, {std::get<0>(r), std::get<1>(r)});
  });
}

JNIEXPORT jlongArray JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchNNGru(
    JNIEnv* env, jobject, jlong input, jlong hx, jlongArray paramHandles, jboolean hasBiases, jint numLayers,
    jdouble dropRate, jboolean training, jboolean bidirectional, jboolean batchFirst) {
  return guarded(env, [&] {
    std::vector<at::Tensor> p = params(env, paramHandles);
    auto r = at::gru(tensor(input), tensor(hx), p, hasBiases == JNI_TRUE, numLayers, dropRate, training == JNI_TRUE,
                     bidirectional == JNI_TRUE, batchFirst == JNI_TRUE);
    return handles(env, {std::get<0>(r), std::get<1>(r)});
  });
}

JNIEXPORT jlongArray JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchNNLstm(
    JNIEnv* env, jobject, jlong input, jlongArray hxHandles, jlongArray paramHandles, jboolean hasBiases,
    jint numLayers, jdouble dropRate, jboolean training, jboolean bidirectional, jboolean batchFirst) {
  return guarded(env, [&] {
    std::vector<at::Tensor> hx = tensors(env, hxHandles);
    std::vector<at::Tensor> p = params(env, paramHandles);
    auto r = at::lstm(tensor(input), hx, p, hasBiases == JNI_TRUE, numLayers, dropRate, training == JNI_TRUE,
                      bidirectional == JNI_TRUE, batchFirst == JNI_TRUE);
    return handles(env, {std::get<0>(r), std::get<1>(r), std::get<2>(r)});
  });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchNNAvgPool(JNIEnv* env, jobject, jlong h,
                                                                             jlongArray kernel, jlongArray stride,
                                                                             jlongArray pad, jboolean ceil,
                                                                             jboolean countIncludePad) {
  return guarded(env, [&] {
    std::vector<int64_t> k = longs(env, kernel);
    std::vector<int64_t> s = longs(env, stride);
    std::vector<int64_t> p = longs(env, pad);
    bool c = ceil == JNI_TRUE;
    bool include = countIncludePad == JNI_TRUE;
    switch (k.size()) {
      case 1: return wrap(at::avg_pool1d(tensor(h), k, s, p, c, include));
      case 2: return wrap(at::avg_pool2d(tensor(h), k, s, p, c, include));
      case 3: return wrap(at::avg_pool3d(tensor(h), k, s, p, c, include));
      default: throw std::invalid_argument("avgPool needs a 1-3 dimensional kernel");
    }
  });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchNNMaxPool(JNIEnv* env, jobject, jlong h,
                                                                             jlongArray kernel, jlongArray stride,
                                                                             jlongArray pad, jboolean ceil) {
  return guarded(env, [&] {
    std::vector<int64_t> k = longs(env, kernel);
    std::vector<int64_t> s = longs(env, stride);
    std::vector<int64_t> p = longs(env, pad);
    std::vector<int64_t> d(k.size(), 1);
    bool c = ceil == JNI_TRUE;
    switch (k.size()) {
      case 1: return wrap(at::max_pool1d(tensor(h), k, s, p, d, c));
      case 2: return wrap(at::max_pool2d(tensor(h), k, s, p, d, c));
      case 3: return wrap(at::max_pool3d(tensor(h), k, s, p, d, c));
      default: throw std::invalid_argument("maxPool needs a 1-3 dimensional kernel");
    }
  });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchNNAdaptiveAvgPool(JNIEnv* env, jobject, jlong h,
                                                                                     jlongArray outputSize) {
  return guarded(env, [&] {
    std::vector<int64_t> o = longs(env, outputSize);
    switch (o.size()) {
      case 1: return wrap(at::adaptive_avg_pool1d(tensor(h), o));
      case 2: return wrap(at::adaptive_avg_pool2d(tensor(h), o));
      case 3: return wrap(at::adaptive_avg_pool3d(tensor(h), o));
      default: throw std::invalid_argument("adaptiveAvgPool needs a 1-3 dimensional output size");
    }
  });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchNNAdaptiveMaxPool(JNIEnv* env, jobject, jlong h,
                                                                                     jlongArray outputSize) {
  return guarded(env, [&] {
    std::vector<int64_t> o = longs(env, outputSize);
    switch (o.size()) {
      case 1: return wrap(std::get<0>(at::adaptive_max_pool1d(tensor(h), o)));
      case 2: return wrap(std::get<0>(at::adaptive_max_pool2d(tensor(h), o)));
      case 3: return wrap(std::get<0>(at::adaptive_max_pool3d(tensor(h), o)));
      default: throw std::invalid_argument("adaptiveMaxPool needs a 1-3 dimensional output size");
    }
  });
}

// Power-average pooling: (sum over the window of x^p)^(1/p), as avg_pool of x^p times the window size.
JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchNNLpPool(JNIEnv* env, jobject, jlong h,
                                                                            jdouble normType, jlongArray kernel,
                                                                            jlongArray stride, jboolean ceil) {
  return guarded(env, [&] {
    std::vector<int64_t> k = longs(env, kernel);
    std::vector<int64_t> s = longs(env, stride);
    std::vector<int64_t> p(k.size(), 0);
    bool c = ceil == JNI_TRUE;
    at::Tensor powered = tensor(h).pow(normType);
    at::Tensor avg;
    int64_t window = 1;
    for (int64_t v : k) {
      window *= v;
    }
    if (k.size() == 1) {
      avg = at::avg_pool1d(powered, k, s, p, c, true);
    } else if (k.size() == 2) {
      avg = at::avg_pool2d(powered, k, s, p, c, true);
    } else {
      throw std::invalid_argument("lpPool supports 1 and 2 dimensional kernels");
    }
    return wrap((at::sign(avg) * at::relu(at::abs(avg))).mul(static_cast<double>(window)).pow(1.0 / normType));
  });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchNNOneHot(JNIEnv* env, jobject, jlong h,
                                                                            jint depth) {
  return guarded(env, [&] { return wrap(at::one_hot(tensor(h), depth)); });
}

JNIEXPORT jboolean JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchRequiresGrad(JNIEnv* env, jobject, jlong h) {
  return guarded(env, [&] { return static_cast<jboolean>(tensor(h).requires_grad()); });
}

JNIEXPORT jstring JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchGradFnName(JNIEnv* env, jobject, jlong h) {
  return guarded(env, [&]() -> jstring {
    const auto& fn = tensor(h).grad_fn();
    if (!fn) {
      return nullptr;
    }
    return env->NewStringUTF(fn->name().c_str());
  });
}

JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchAttachGrad(JNIEnv* env, jobject, jlong h,
                                                                             jboolean requiresGrad) {
  guarded(env, [&] { tensor(h).requires_grad_(requiresGrad == JNI_TRUE); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchGrad(JNIEnv* env, jobject, jlong h) {
  return guarded(env, [&]() -> jlong {
    const at::Tensor& g = tensor(h).grad();
    if (!g.defined()) {
      return 0;
    }
    return wrap(g);
  });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchDetachGrad(JNIEnv* env, jobject, jlong h) {
  return unary(env, h, [](const at::Tensor& t) { return t.detach(); });
}

JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchBackward(JNIEnv* env, jobject, jlong h,
                                                                           jlong grad, jboolean keepGraph,
                                                                           jboolean createGraph) {
  guarded(env, [&] { tensor(h).backward(tensor(grad), keepGraph == JNI_TRUE, createGraph == JNI_TRUE); });
}

JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_zeroGrad(JNIEnv* env, jobject, jlong h) {
  guarded(env, [&] {
    at::Tensor g = tensor(h).mutable_grad();
    if (g.defined()) {
      g.detach_();
      g.zero_();
    }
  });
}

// DJL's Adam: lr is the raw rate, lrBiasCorrection = lr * sqrt(1 - beta2^t) / (1 - beta1^t). Plain Adam adds
// wd * weight to the gradient; AdamW decays the weight directly.
JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_adamUpdate(
    JNIEnv* env, jobject, jlong weight, jlong grad, jlong mean, jlong variance, jfloat lr, jfloat lrBiasCorrection,
    jfloat wd, jfloat rescaleGrad, jfloat clipGrad, jfloat beta1, jfloat beta2, jfloat eps, jboolean adamw) {
  guarded(env, [&] {
    c10::NoGradGuard noGrad;
    at::Tensor& w = tensor(weight);
    at::Tensor& m = tensor(mean);
    at::Tensor& v = tensor(variance);
    at::Tensor g = tensor(grad) * rescaleGrad;
    if (clipGrad > 0) {
      g = g.clamp(-clipGrad, clipGrad);
    }
    if (adamw != JNI_TRUE && wd != 0) {
      g = g + w * wd;
    }
    m.mul_(beta1).add_(g, 1 - beta1);
    v.mul_(beta2).addcmul_(g, g, 1 - beta2);
    if (adamw == JNI_TRUE && wd != 0) {
      w.mul_(1 - lr * wd);
    }
    w.sub_(m / (v.sqrt() + eps) * lrBiasCorrection);
  });
}

// DJL's SGD: the gradient is rescaled, clipped and weight-decayed; momentum keeps a velocity in `state`.
JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_sgdUpdate(JNIEnv* env, jobject, jlong weight,
                                                                       jlong grad, jlong state, jfloat lr,
                                                                       jfloat wd, jfloat rescaleGrad,
                                                                       jfloat clipGrad, jfloat momentum) {
  guarded(env, [&] {
    c10::NoGradGuard noGrad;
    at::Tensor& w = tensor(weight);
    at::Tensor g = tensor(grad) * rescaleGrad;
    if (clipGrad > 0) {
      g = g.clamp(-clipGrad, clipGrad);
    }
    g = g + w * wd;
    if (state != 0 && momentum != 0) {
      at::Tensor& velocity = tensor(state);
      velocity.mul_(momentum).sub_(g * lr);
      w.add_(velocity);
    } else {
      w.sub_(g * lr);
    }
  });
}

}  // extern "C"
