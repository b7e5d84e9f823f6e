// Shared helpers of the bridge (common/bridge.h), used by DJL's engine natives and Sapling's own natives alike.
#include "common/bridge.h"

#include <memory>
#include <sstream>

namespace bridge {

void throwJava(JNIEnv* env, const char* className, const std::string& message) {
  if (env->ExceptionCheck()) {
    return;
  }
  jclass cls = env->FindClass(className);
  if (cls == nullptr) {
    env->ExceptionClear();
    cls = env->FindClass("java/lang/RuntimeException");
  }
  env->ThrowNew(cls, message.c_str());
}

at::ScalarType scalarType(jint t) {
  switch (t) {
    case 0: return at::kFloat;
    case 1: return at::kDouble;
    case 2: return at::kHalf;
    case 3: return at::kByte;
    case 4: return at::kInt;
    case 5: return at::kChar;
    case 6: return at::kLong;
    case 7: return at::kBool;
    case 8: return at::kComplexFloat;
    case 11: return at::kBFloat16;
#ifdef BRIDGE_HAS_UNSIGNED
    case 12: return at::kUInt64;
    case 13: return at::kUInt32;
    case 14: return at::kUInt16;
#endif
    case 15: return at::kShort;
    default:
      throw std::invalid_argument("DJL data type ordinal " + std::to_string(t) + " has no PyTorch equivalent");
  }
}

jint djlType(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return 0;
    case at::kDouble: return 1;
    case at::kHalf: return 2;
    case at::kByte: return 3;
    case at::kInt: return 4;
    case at::kChar: return 5;
    case at::kLong: return 6;
    case at::kBool: return 7;
    case at::kComplexFloat: return 8;
    case at::kBFloat16: return 11;
#ifdef BRIDGE_HAS_UNSIGNED
    case at::kUInt64: return 12;
    case at::kUInt32: return 13;
    case at::kUInt16: return 14;
#endif
    case at::kShort: return 15;
    default: return 9;  // UNKNOWN
  }
}

at::Device device(JNIEnv* env, jintArray d) {
  jint v[2] = {0, -1};
  if (d != nullptr && env->GetArrayLength(d) >= 2) {
    env->GetIntArrayRegion(d, 0, 2, v);
  }
  switch (v[0]) {
    case 0: return at::Device(at::kCPU);
    case 1: return at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(v[1] < 0 ? 0 : v[1]));
    case 13: return at::Device(at::kMPS, static_cast<c10::DeviceIndex>(v[1] < 0 ? 0 : v[1]));
    default: throw std::invalid_argument("DJL device type " + std::to_string(v[0]) + " is not supported");
  }
}

jintArray djlDevice(JNIEnv* env, const at::Device& d) {
  jint v[2];
  if (d.is_cuda()) {
    v[0] = 1;
    v[1] = d.has_index() ? d.index() : 0;
  } else if (d.is_mps()) {
    v[0] = 13;
    v[1] = d.has_index() ? d.index() : 0;
  } else {
    v[0] = 0;
    v[1] = -1;
  }
  jintArray out = env->NewIntArray(2);
  env->SetIntArrayRegion(out, 0, 2, v);
  return out;
}

at::Layout layout(jint l) {
  switch (l) {
    case 1: return at::kSparse;
    case 2: return at::kMkldnn;
    default: return at::kStrided;
  }
}

jint djlLayout(at::Layout l) {
  switch (l) {
    case at::kSparse: return 1;
    case at::kMkldnn: return 2;
    default: return 0;
  }
}

at::TensorOptions options(JNIEnv* env, jint dType, jint l, jintArray d, jboolean requiresGrad) {
  // Sparse and MKL-DNN tensors are made strided first and converted by the caller.
  (void)l;
  return at::TensorOptions()
      .dtype(scalarType(dType))
      .device(device(env, d))
      .layout(at::kStrided)
      .requires_grad(requiresGrad == JNI_TRUE);
}

std::vector<int64_t> longs(JNIEnv* env, jlongArray a) {
  if (a == nullptr) {
    return {};
  }
  jsize n = env->GetArrayLength(a);
  std::vector<int64_t> v(n);
  static_assert(sizeof(jlong) == sizeof(int64_t), "jlong must be 64-bit");
  env->GetLongArrayRegion(a, 0, n, reinterpret_cast<jlong*>(v.data()));
  return v;
}

jlongArray longArray(JNIEnv* env, const std::vector<int64_t>& values) {
  jlongArray out = env->NewLongArray(static_cast<jsize>(values.size()));
  env->SetLongArrayRegion(out, 0, static_cast<jsize>(values.size()), reinterpret_cast<const jlong*>(values.data()));
  return out;
}

jlongArray handles(JNIEnv* env, const std::vector<at::Tensor>& ts) {
  std::vector<int64_t> hs;
  hs.reserve(ts.size());
  for (const auto& t : ts) {
    hs.push_back(wrap(t));
  }
  return longArray(env, hs);
}

std::vector<at::Tensor> tensors(JNIEnv* env, jlongArray hs) {
  std::vector<at::Tensor> out;
  for (int64_t h : longs(env, hs)) {
    out.push_back(tensor(h));
  }
  return out;
}

std::string string(JNIEnv* env, jstring s) {
  if (s == nullptr) {
    return {};
  }
  const char* chars = env->GetStringUTFChars(s, nullptr);
  std::string out(chars);
  env->ReleaseStringUTFChars(s, chars);
  return out;
}

jobjectArray stringArray(JNIEnv* env, const std::vector<std::string>& values) {
  jclass cls = env->FindClass("java/lang/String");
  jobjectArray out = env->NewObjectArray(static_cast<jsize>(values.size()), cls, nullptr);
  for (size_t i = 0; i < values.size(); i++) {
    jstring s = env->NewStringUTF(values[i].c_str());
    env->SetObjectArrayElement(out, static_cast<jsize>(i), s);
    env->DeleteLocalRef(s);
  }
  return out;
}

}  // namespace bridge
