// Binds Sapling's own natives to their Java classes when the JVM loads the bridge (JNI_OnLoad), from the one table
// below that names each class once. Moving or renaming a Java class changes its line here, never a C function name.
// DJL's natives (djl-engine/) keep their exported Java_ai_djl_pytorch_jni_PyTorchLibrary_* names: DJL's JVM finds them
// by name.
#include "sapling/natives.h"

#include "cuda/decode_kernels_aten.h"

#include <cstdio>

namespace bridge {
const DecodeKernels* decodeKernels = nullptr;  // set by cuda/decode_kernels_aten.cc where it is built
bool decodeKernelsEnabled = true;
}  // namespace bridge

namespace {

using sapling::Native;

struct JavaClass {
  const char* name;                  // as Class.forName takes it
  std::vector<Native> (*natives)();  // null when its source is not in this build
};

const JavaClass kClasses[] = {
    {"dev.sapling.model.FusedOps", sapling::fusedOpsNatives},
    {"dev.sapling.model.CudaGraphRecorder", sapling::cudaGraphRecorderNatives},
    {"dev.sapling.runtime.device.AsyncReadback", sapling::asyncReadbackNatives},
    {"dev.sapling.runtime.sampling.FusedSampling", sapling::fusedSamplingNatives},
    {"dev.sapling.train.optim.FusedAdamW", sapling::fusedAdamWNatives},
};

// The class loader of DJL's PyTorchLibrary, the class whose natives this library implements, so the loader that
// loads this library and sees Sapling's classes beside DJL's. Null (with no exception pending) when there is none.
jobject djlLoader(JNIEnv* env) {
  jclass library = env->FindClass("ai/djl/pytorch/jni/PyTorchLibrary");
  if (library == nullptr) {
    env->ExceptionClear();
    return nullptr;
  }
  jclass classClass = env->FindClass("java/lang/Class");
  jmethodID getClassLoader = env->GetMethodID(classClass, "getClassLoader", "()Ljava/lang/ClassLoader;");
  jobject loader = env->CallObjectMethod(library, getClassLoader);
  if (env->ExceptionCheck()) {
    env->ExceptionClear();
    return nullptr;
  }
  return loader;
}

// The class, loaded but not initialized: its static initializer may need the engine, which is loading this library
// right now. Null (with no exception pending) when the class is not on the class path (DJL used without Sapling).
jclass uninitialized(JNIEnv* env, jobject loader, const char* name) {
  jclass classClass = env->FindClass("java/lang/Class");
  jmethodID forName =
      env->GetStaticMethodID(classClass, "forName", "(Ljava/lang/String;ZLjava/lang/ClassLoader;)Ljava/lang/Class;");
  jstring javaName = env->NewStringUTF(name);
  auto cls = static_cast<jclass>(env->CallStaticObjectMethod(classClass, forName, javaName, JNI_FALSE, loader));
  env->DeleteLocalRef(javaName);
  if (env->ExceptionCheck()) {
    env->ExceptionClear();
    return nullptr;
  }
  return cls;
}

// Registers the natives one by one (not named bind: argument-dependent lookup would pick std::bind, which does
// nothing), so a mismatch names its method. On a mismatch none of the class's natives stay
// bound: its first native call then throws UnsatisfiedLinkError, which every Sapling class with natives answers with
// its composed fallback, and the reason is on stderr.
void registerNatives(JNIEnv* env, jclass cls, const char* className, const std::vector<Native>& natives) {
  for (const Native& n : natives) {
    JNINativeMethod method{const_cast<char*>(n.name), const_cast<char*>(n.descriptor.c_str()), n.function};
    if (env->RegisterNatives(cls, &method, 1) != JNI_OK) {
      env->ExceptionClear();
      env->UnregisterNatives(cls);
      std::fprintf(stderr,
                   "sapling bridge: %s declares no static native %s%s, so none of its natives are bound and it runs "
                   "its composed fallback; rebuild the bridge from the sources of this jar (scripts/gpu-setup.sh or "
                   "scripts/cpu-bridge.sh)\n",
                   className, n.name, n.descriptor.c_str());
      return;
    }
  }
}

}  // namespace

extern "C" JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM* vm, void*) {
  JNIEnv* env = nullptr;
  if (vm->GetEnv(reinterpret_cast<void**>(&env), JNI_VERSION_1_8) != JNI_OK) {
    return JNI_ERR;
  }
  jobject loader = djlLoader(env);
  if (loader == nullptr) {
    return JNI_VERSION_1_8;  // loaded outside DJL's engine: nothing of Sapling's to bind
  }
  for (const JavaClass& c : kClasses) {
    if (c.natives == nullptr) {
      continue;
    }
    jclass cls = uninitialized(env, loader, c.name);
    if (cls != nullptr) {
      registerNatives(env, cls, c.name, c.natives());
      env->DeleteLocalRef(cls);
    }
  }
  env->DeleteLocalRef(loader);
  return JNI_VERSION_1_8;
}
