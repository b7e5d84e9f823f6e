// How Sapling's own natives are bound to their Java classes: not by exported JNI names (which embed the Java
// package, so moving a class would rename C functions) but by RegisterNatives when the JVM loads the bridge
// (JNI_OnLoad in sapling/natives.cc, whose one table names each Java class once).
//
// A source in sapling/ defines its natives as static functions under their Java method names in a namespace `jni`,
// and lists them in its table function:
//
//   namespace { namespace jni {
//   jint version(JNIEnv* env, jclass) { return 3; }
//   } }
//   std::vector<sapling::Native> sapling::fusedOpsNatives() { return {SAPLING_NATIVE(version)}; }
//
// The JNI descriptor ("()I") is derived from the C++ function's type, so the two cannot disagree; RegisterNatives
// then checks it against the Java declaration when the library loads.
#pragma once

#include <jni.h>

#include <string>
#include <vector>

namespace sapling {

// One static native method: its Java name, its JNI descriptor and the C++ function.
struct Native {
  const char* name;
  std::string descriptor;
  void* function;
};

// The descriptor code of a JNI type a native takes or returns; a type without one does not compile (add it here).
template <class T>
struct JniCode;
template <> struct JniCode<void> { static constexpr const char* value = "V"; };
template <> struct JniCode<jboolean> { static constexpr const char* value = "Z"; };
template <> struct JniCode<jint> { static constexpr const char* value = "I"; };
template <> struct JniCode<jlong> { static constexpr const char* value = "J"; };
template <> struct JniCode<jfloat> { static constexpr const char* value = "F"; };
template <> struct JniCode<jdouble> { static constexpr const char* value = "D"; };
template <> struct JniCode<jstring> { static constexpr const char* value = "Ljava/lang/String;"; };
template <> struct JniCode<jintArray> { static constexpr const char* value = "[I"; };
template <> struct JniCode<jlongArray> { static constexpr const char* value = "[J"; };
template <> struct JniCode<jfloatArray> { static constexpr const char* value = "[F"; };
template <> struct JniCode<jdoubleArray> { static constexpr const char* value = "[D"; };

// A static native (JNIEnv*, jclass, A...) -> R under the Java name `name`, with the descriptor "(A...)R".
template <class R, class... A>
Native native(const char* name, R (*function)(JNIEnv*, jclass, A...)) {
  std::string descriptor = "(";
  (descriptor.append(JniCode<A>::value), ...);
  descriptor.append(")").append(JniCode<R>::value);
  return Native{name, descriptor, reinterpret_cast<void*>(function)};
}

// The function jni::NAME bound to the Java method NAME.
#define SAPLING_NATIVE(NAME) ::sapling::native(#NAME, &jni::NAME)

// The natives of each Java class, one function per source in sapling/ (the Java classes are named in
// sapling/natives.cc). Weak: a source left out of the build (no CUDA, or BRIDGE_EXCLUDE after a compile failure on an
// unusual PyTorch) leaves its function null, its Java class unbound, and the Java side on its composed fallback.
// Hidden, so an absent one resolves to null when the library is linked, never to a symbol of another library.
#define SAPLING_NATIVES_OF(FUNCTION) std::vector<Native> FUNCTION() __attribute__((weak, visibility("hidden")))
SAPLING_NATIVES_OF(fusedOpsNatives);            // sapling/fused_ops.cc
SAPLING_NATIVES_OF(cudaGraphRecorderNatives);   // sapling/cuda_graphs.cc
SAPLING_NATIVES_OF(asyncReadbackNatives);       // sapling/readback.cc
SAPLING_NATIVES_OF(fusedSamplingNatives);       // sapling/sampling.cc
SAPLING_NATIVES_OF(fusedAdamWNatives);          // sapling/adamw.cc
#undef SAPLING_NATIVES_OF

}  // namespace sapling
