// DJL's engine-wide natives: grad mode, thread counts, seeds and the configuration DJL reports (with the
// SAPLING_BRIDGE feature that tells Sapling, and its tests, that the engine runs on this bridge).
#include "common/bridge.h"

#include <ATen/Parallel.h>

using namespace bridge;

extern "C" {

JNIEXPORT jboolean JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchIsGradMode(JNIEnv* env, jobject) {
  return guarded(env, [&] { return static_cast<jboolean>(c10::GradMode::is_enabled()); });
}

JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchSetGradMode(JNIEnv* env, jobject,
                                                                              jboolean enable) {
  guarded(env, [&] { c10::GradMode::set_enabled(enable == JNI_TRUE); });
}

JNIEXPORT jint JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchGetNumInteropThreads(JNIEnv* env, jobject) {
  return guarded(env, [&] { return static_cast<jint>(at::get_num_interop_threads()); });
}

JNIEXPORT jint JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchGetNumThreads(JNIEnv* env, jobject) {
  return guarded(env, [&] { return static_cast<jint>(at::get_num_threads()); });
}

JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchSetNumInteropThreads(JNIEnv* env, jobject,
                                                                                       jint threads) {
  guarded(env, [&] { at::set_num_interop_threads(threads); });
}

JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchSetNumThreads(JNIEnv* env, jobject,
                                                                                jint threads) {
  guarded(env, [&] { at::set_num_threads(threads); });
}

JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchSetBenchmarkCuDNN(JNIEnv* env, jobject,
                                                                                    jboolean enable) {
  guarded(env, [&] { at::globalContext().setBenchmarkCuDNN(enable == JNI_TRUE); });
}

JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchManualSeed(JNIEnv* env, jobject, jlong seed) {
  guarded(env, [&] { at::manual_seed(static_cast<uint64_t>(seed)); });
}

JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchShowConfig(JNIEnv* env, jobject, jobject set) {
  guarded(env, [&] {
    jclass setClass = env->GetObjectClass(set);
    jmethodID add = env->GetMethodID(setClass, "add", "(Ljava/lang/Object;)Z");
    auto put = [&](const char* feature) {
      jstring s = env->NewStringUTF(feature);
      env->CallBooleanMethod(set, add, s);
      env->DeleteLocalRef(s);
    };
    auto& ctx = at::globalContext();
    if (ctx.hasCUDA()) put("CUDA");
    if (ctx.hasCuDNN()) put("CUDNN");
    if (ctx.hasMKL()) put("MKL");
    if (ctx.hasMKLDNN()) put("MKLDNN");
    if (ctx.hasOpenMP()) put("OPENMP");
    if (ctx.hasLAPACK()) put("LAPACK");
    put("SAPLING_BRIDGE");
  });
}

}  // extern "C"
