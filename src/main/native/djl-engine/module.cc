// TorchScript modules and IValues, for DJL's PtSymbolBlock. Sapling's own code does not reach these.
#include "common/bridge.h"

#include <torch/csrc/jit/runtime/graph_executor.h>
#include <torch/script.h>

#include <sstream>

using namespace bridge;

namespace {

torch::jit::Module& module(jlong h) {
  if (h == 0) {
    throw std::invalid_argument("null module handle");
  }
  return *reinterpret_cast<torch::jit::Module*>(h);
}

c10::IValue& ivalue(jlong h) {
  if (h == 0) {
    throw std::invalid_argument("null IValue handle");
  }
  return *reinterpret_cast<c10::IValue*>(h);
}

jlong wrapIValue(c10::IValue v) { return reinterpret_cast<jlong>(new c10::IValue(std::move(v))); }

jlong wrapModule(torch::jit::Module m) { return reinterpret_cast<jlong>(new torch::jit::Module(std::move(m))); }

void setMode(torch::jit::Module& m, bool trainParam) {
  if (!trainParam) {
    m.eval();
    for (auto p : m.parameters()) {
      p.requires_grad_(false);
    }
  }
}

std::vector<c10::IValue> ivalues(JNIEnv* env, jlongArray hs) {
  std::vector<c10::IValue> out;
  for (int64_t h : longs(env, hs)) {
    out.push_back(ivalue(h));
  }
  return out;
}

}  // namespace

extern "C" {

JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchDeleteModule(JNIEnv* env, jobject, jlong h) {
  guarded(env, [&] { delete reinterpret_cast<torch::jit::Module*>(h); });
}

JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchDeleteIValue(JNIEnv* env, jobject, jlong h) {
  guarded(env, [&] { delete reinterpret_cast<c10::IValue*>(h); });
}

// Loads a TorchScript file; the values of the requested extra files are written into extraFileValues.
JNIEXPORT jlong JNICALL
Java_ai_djl_pytorch_jni_PyTorchLibrary_moduleLoad__Ljava_lang_String_2_3IZ_3Ljava_lang_String_2_3Ljava_lang_String_2Z(
    JNIEnv* env, jobject, jstring path, jintArray dev, jboolean mapLocation, jobjectArray extraNames,
    jobjectArray extraValues, jboolean trainParam) {
  return guarded(env, [&] {
    torch::jit::ExtraFilesMap extra;
    jsize n = extraNames == nullptr ? 0 : env->GetArrayLength(extraNames);
    for (jsize i = 0; i < n; i++) {
      extra[string(env, static_cast<jstring>(env->GetObjectArrayElement(extraNames, i)))] = "";
    }
    at::Device d = device(env, dev);
    torch::jit::Module m = mapLocation == JNI_TRUE ? torch::jit::load(string(env, path), d, extra)
                                                    : torch::jit::load(string(env, path), Opt<at::Device>(), extra);
    for (jsize i = 0; i < n; i++) {
      std::string key = string(env, static_cast<jstring>(env->GetObjectArrayElement(extraNames, i)));
      jstring value = env->NewStringUTF(extra[key].c_str());
      env->SetObjectArrayElement(extraValues, i, value);
      env->DeleteLocalRef(value);
    }
    if (mapLocation != JNI_TRUE) {
      m.to(d);
    }
    setMode(m, trainParam == JNI_TRUE);
    return wrapModule(std::move(m));
  });
}

// Reads `size` bytes (or to the end when size < 0) from the stream through the Java buffer, then loads them.
JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_moduleLoad__Ljava_io_InputStream_2_3IZ_3BJ(
    JNIEnv* env, jobject, jobject is, jintArray dev, jboolean mapLocation, jbyteArray buffer, jlong size) {
  return guarded(env, [&] {
    jclass cls = env->GetObjectClass(is);
    jmethodID read = env->GetMethodID(cls, "read", "([BII)I");
    jsize cap = env->GetArrayLength(buffer);
    std::string bytes;
    while (size < 0 || static_cast<jlong>(bytes.size()) < size) {
      jint want = cap;
      if (size >= 0) {
        want = static_cast<jint>(std::min<jlong>(cap, size - static_cast<jlong>(bytes.size())));
      }
      jint got = env->CallIntMethod(is, read, buffer, 0, want);
      if (env->ExceptionCheck()) {
        throw JavaPending();
      }
      if (got < 0) {
        break;
      }
      size_t old = bytes.size();
      bytes.resize(old + got);
      env->GetByteArrayRegion(buffer, 0, got, reinterpret_cast<jbyte*>(&bytes[old]));
    }
    std::istringstream in(bytes);
    at::Device d = device(env, dev);
    torch::jit::Module m = mapLocation == JNI_TRUE ? torch::jit::load(in, d) : torch::jit::load(in);
    if (mapLocation != JNI_TRUE) {
      m.to(d);
    }
    setMode(m, false);
    return wrapModule(std::move(m));
  });
}

JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_moduleEval(JNIEnv* env, jobject, jlong h) {
  guarded(env, [&] { module(h).eval(); });
}

JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_moduleTrain(JNIEnv* env, jobject, jlong h) {
  guarded(env, [&] { module(h).train(); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_moduleRunMethod(JNIEnv* env, jobject, jlong h,
                                                                              jstring method, jlongArray inputs,
                                                                              jboolean isTrain,
                                                                              jboolean separateCudaStream) {
  (void)separateCudaStream;
  return guarded(env, [&] {
    std::vector<c10::IValue> args = ivalues(env, inputs);
    std::string name = string(env, method);
    if (isTrain == JNI_TRUE) {
      return wrapIValue(module(h).get_method(name)(args));
    }
    c10::NoGradGuard noGrad;
    return wrapIValue(module(h).get_method(name)(args));
  });
}

JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_setGraphExecutorOptimize(JNIEnv* env, jobject,
                                                                                      jboolean enabled) {
  guarded(env, [&] { torch::jit::setGraphExecutorOptimize(enabled == JNI_TRUE); });
}

// Writes the module (preceded by its size as a big-endian long when asked) to the stream in buffer-sized chunks.
JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_moduleWrite(JNIEnv* env, jobject, jlong h, jobject os,
                                                                         jbyteArray buffer, jboolean writeSize) {
  guarded(env, [&] {
    std::ostringstream out;
    module(h).save(out);
    std::string bytes = out.str();
    jclass cls = env->GetObjectClass(os);
    jmethodID write = env->GetMethodID(cls, "write", "([BII)V");
    jsize cap = env->GetArrayLength(buffer);
    if (writeSize == JNI_TRUE) {
      jbyte header[8];
      uint64_t n = bytes.size();
      for (int i = 0; i < 8; i++) {
        header[i] = static_cast<jbyte>((n >> (56 - 8 * i)) & 0xff);
      }
      env->SetByteArrayRegion(buffer, 0, 8, header);
      env->CallVoidMethod(os, write, buffer, 0, 8);
      if (env->ExceptionCheck()) throw JavaPending();
    }
    for (size_t off = 0; off < bytes.size(); off += cap) {
      jint len = static_cast<jint>(std::min<size_t>(cap, bytes.size() - off));
      env->SetByteArrayRegion(buffer, 0, len, reinterpret_cast<const jbyte*>(bytes.data() + off));
      env->CallVoidMethod(os, write, buffer, 0, len);
      if (env->ExceptionCheck()) throw JavaPending();
    }
  });
}

JNIEXPORT jlongArray JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_moduleGetParams(JNIEnv* env, jobject, jlong h) {
  return guarded(env, [&] {
    std::vector<at::Tensor> ps;
    for (const auto& p : module(h).named_parameters()) {
      ps.push_back(p.value);
    }
    return handles(env, ps);
  });
}

JNIEXPORT jobjectArray JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_moduleGetParamNames(JNIEnv* env, jobject,
                                                                                         jlong h) {
  return guarded(env, [&] {
    std::vector<std::string> names;
    for (const auto& p : module(h).named_parameters()) {
      names.push_back(p.name);
    }
    return stringArray(env, names);
  });
}

JNIEXPORT jobjectArray JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_moduleGetMethodNames(JNIEnv* env, jobject,
                                                                                          jlong h) {
  return guarded(env, [&] {
    std::vector<std::string> names;
    for (const auto& m : module(h).get_methods()) {
      names.push_back(m.name());
    }
    return stringArray(env, names);
  });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_iValueFromTensor(JNIEnv* env, jobject, jlong h) {
  return guarded(env, [&] { return wrapIValue(c10::IValue(tensor(h))); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_iValueFromBool(JNIEnv* env, jobject, jboolean v) {
  return guarded(env, [&] { return wrapIValue(c10::IValue(v == JNI_TRUE)); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_iValueFromLong(JNIEnv* env, jobject, jlong v) {
  return guarded(env, [&] { return wrapIValue(c10::IValue(static_cast<int64_t>(v))); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_iValueFromDouble(JNIEnv* env, jobject, jdouble v) {
  return guarded(env, [&] { return wrapIValue(c10::IValue(static_cast<double>(v))); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_iValueFromString(JNIEnv* env, jobject, jstring v) {
  return guarded(env, [&] { return wrapIValue(c10::IValue(string(env, v))); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_iValueFromBoolList(JNIEnv* env, jobject,
                                                                                 jbooleanArray v) {
  return guarded(env, [&] {
    c10::List<bool> list;
    jsize n = env->GetArrayLength(v);
    std::vector<jboolean> raw(n);
    env->GetBooleanArrayRegion(v, 0, n, raw.data());
    for (jboolean b : raw) {
      list.push_back(b == JNI_TRUE);
    }
    return wrapIValue(c10::IValue(list));
  });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_iValueFromLongList(JNIEnv* env, jobject,
                                                                                 jlongArray v) {
  return guarded(env, [&] {
    c10::List<int64_t> list;
    for (int64_t x : longs(env, v)) {
      list.push_back(x);
    }
    return wrapIValue(c10::IValue(list));
  });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_iValueFromDoubleList(JNIEnv* env, jobject,
                                                                                   jdoubleArray v) {
  return guarded(env, [&] {
    c10::List<double> list;
    jsize n = env->GetArrayLength(v);
    std::vector<jdouble> raw(n);
    env->GetDoubleArrayRegion(v, 0, n, raw.data());
    for (jdouble d : raw) {
      list.push_back(d);
    }
    return wrapIValue(c10::IValue(list));
  });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_iValueFromTensorList(JNIEnv* env, jobject,
                                                                                   jlongArray hs) {
  return guarded(env, [&] {
    c10::List<at::Tensor> list;
    for (const auto& t : tensors(env, hs)) {
      list.push_back(t);
    }
    return wrapIValue(c10::IValue(list));
  });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_iValueFromList(JNIEnv* env, jobject, jlongArray hs) {
  return guarded(env, [&] {
    std::vector<c10::IValue> values = ivalues(env, hs);
    c10::TypePtr type = values.empty() ? c10::TypePtr(c10::AnyType::get()) : values[0].type();
    c10::impl::GenericList list(type);
    for (auto& v : values) {
      list.push_back(v);
    }
    return wrapIValue(c10::IValue(list));
  });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_iValueFromTuple(JNIEnv* env, jobject, jlongArray hs) {
  return guarded(env, [&] { return wrapIValue(c10::ivalue::Tuple::create(ivalues(env, hs))); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_iValueFromStringMap(JNIEnv* env, jobject,
                                                                                  jobjectArray keys,
                                                                                  jlongArray hs) {
  return guarded(env, [&] {
    c10::Dict<std::string, at::Tensor> dict;
    std::vector<at::Tensor> ts = tensors(env, hs);
    for (size_t i = 0; i < ts.size(); i++) {
      dict.insert(string(env, static_cast<jstring>(env->GetObjectArrayElement(keys, static_cast<jsize>(i)))), ts[i]);
    }
    return wrapIValue(c10::IValue(dict));
  });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_iValueFromStringIValueMap(JNIEnv* env, jobject,
                                                                                        jobjectArray keys,
                                                                                        jlongArray hs) {
  return guarded(env, [&] {
    std::vector<c10::IValue> values = ivalues(env, hs);
    c10::TypePtr type = values.empty() ? c10::TypePtr(c10::AnyType::get()) : values[0].type();
    c10::impl::GenericDict dict(c10::StringType::get(), type);
    for (size_t i = 0; i < values.size(); i++) {
      dict.insert(string(env, static_cast<jstring>(env->GetObjectArrayElement(keys, static_cast<jsize>(i)))),
                  values[i]);
    }
    return wrapIValue(c10::IValue(dict));
  });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_iValueToTensor(JNIEnv* env, jobject, jlong h) {
  return guarded(env, [&] { return wrap(ivalue(h).toTensor()); });
}

JNIEXPORT jboolean JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_iValueToBool(JNIEnv* env, jobject, jlong h) {
  return guarded(env, [&] { return static_cast<jboolean>(ivalue(h).toBool()); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_iValueToLong(JNIEnv* env, jobject, jlong h) {
  return guarded(env, [&] { return static_cast<jlong>(ivalue(h).toInt()); });
}

JNIEXPORT jdouble JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_iValueToDouble(JNIEnv* env, jobject, jlong h) {
  return guarded(env, [&] { return static_cast<jdouble>(ivalue(h).toDouble()); });
}

JNIEXPORT jstring JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_iValueToString(JNIEnv* env, jobject, jlong h) {
  return guarded(env, [&] { return env->NewStringUTF(ivalue(h).toStringRef().c_str()); });
}

JNIEXPORT jbooleanArray JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_iValueToBoolList(JNIEnv* env, jobject,
                                                                                       jlong h) {
  return guarded(env, [&] {
    auto list = ivalue(h).toBoolList();
    std::vector<jboolean> raw;
    for (bool b : list) {
      raw.push_back(b ? JNI_TRUE : JNI_FALSE);
    }
    jbooleanArray out = env->NewBooleanArray(static_cast<jsize>(raw.size()));
    env->SetBooleanArrayRegion(out, 0, static_cast<jsize>(raw.size()), raw.data());
    return out;
  });
}

JNIEXPORT jlongArray JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_iValueToLongList(JNIEnv* env, jobject,
                                                                                    jlong h) {
  return guarded(env, [&] {
    auto v = ivalue(h).toIntVector();
    return longArray(env, std::vector<int64_t>(v.begin(), v.end()));
  });
}

JNIEXPORT jdoubleArray JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_iValueToDoubleList(JNIEnv* env, jobject,
                                                                                        jlong h) {
  return guarded(env, [&] {
    std::vector<double> v = ivalue(h).toDoubleVector();
    jdoubleArray out = env->NewDoubleArray(static_cast<jsize>(v.size()));
    env->SetDoubleArrayRegion(out, 0, static_cast<jsize>(v.size()), v.data());
    return out;
  });
}

JNIEXPORT jlongArray JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_iValueToTensorList(JNIEnv* env, jobject,
                                                                                      jlong h) {
  return guarded(env, [&] { return handles(env, ivalue(h).toTensorVector()); });
}

JNIEXPORT jlongArray JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_iValueToIValueList(JNIEnv* env, jobject,
                                                                                      jlong h) {
  return guarded(env, [&] {
    std::vector<int64_t> hs;
    for (const c10::IValue& v : ivalue(h).toListRef()) {
      hs.push_back(wrapIValue(v));
    }
    return longArray(env, hs);
  });
}

JNIEXPORT jlongArray JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_iValueToIValueTuple(JNIEnv* env, jobject,
                                                                                       jlong h) {
  return guarded(env, [&] {
    std::vector<int64_t> hs;
    for (const c10::IValue& v : ivalue(h).toTupleRef().elements()) {
      hs.push_back(wrapIValue(v));
    }
    return longArray(env, hs);
  });
}

// Keys and values interleaved: key0, value0, key1, value1, ...
JNIEXPORT jlongArray JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_iValueToMap(JNIEnv* env, jobject, jlong h) {
  return guarded(env, [&] {
    std::vector<int64_t> hs;
    for (const auto& entry : ivalue(h).toGenericDict()) {
      hs.push_back(wrapIValue(entry.key()));
      hs.push_back(wrapIValue(entry.value()));
    }
    return longArray(env, hs);
  });
}

JNIEXPORT jstring JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_iValueGetType(JNIEnv* env, jobject, jlong h) {
  return guarded(env, [&] { return env->NewStringUTF(ivalue(h).tagKind().c_str()); });
}

#define BRIDGE_IVALUE_IS(NAME, CHECK)                                                                          \
  JNIEXPORT jboolean JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_##NAME(JNIEnv* env, jobject, jlong h) { \
    return guarded(env, [&] { return static_cast<jboolean>(ivalue(h).CHECK()); });                           \
  }

BRIDGE_IVALUE_IS(iValueIsTensor, isTensor)
BRIDGE_IVALUE_IS(iValueIsBool, isBool)
BRIDGE_IVALUE_IS(iValueIsLong, isInt)
BRIDGE_IVALUE_IS(iValueIsDouble, isDouble)
BRIDGE_IVALUE_IS(iValueIsString, isString)
BRIDGE_IVALUE_IS(iValueIsBoolList, isBoolList)
BRIDGE_IVALUE_IS(iValueIsLongList, isIntList)
BRIDGE_IVALUE_IS(iValueIsDoubleList, isDoubleList)
BRIDGE_IVALUE_IS(iValueIsTensorList, isTensorList)
BRIDGE_IVALUE_IS(iValueIsList, isList)
BRIDGE_IVALUE_IS(iValueIsTuple, isTuple)
BRIDGE_IVALUE_IS(iValueIsMap, isGenericDict)

}  // extern "C"
