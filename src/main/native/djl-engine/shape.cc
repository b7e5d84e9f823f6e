// Shape changes, joins and splits, and every kind of indexing DJL uses (basic slices, NDIndex, gather/scatter).
#include "common/bridge.h"

#include <ATen/TensorIndexing.h>

using namespace bridge;

namespace {

using Indices = std::vector<at::indexing::TensorIndex>;

Indices& indices(jlong h) {
  if (h == 0) {
    throw std::invalid_argument("null index handle");
  }
  return *reinterpret_cast<Indices*>(h);
}

// The view DJL's NDIndexFullSlice describes: one slice per leading dimension.
at::Tensor sliced(JNIEnv* env, const at::Tensor& t, jlongArray min, jlongArray max, jlongArray step) {
  std::vector<int64_t> lo = longs(env, min);
  std::vector<int64_t> hi = longs(env, max);
  std::vector<int64_t> st = longs(env, step);
  at::Tensor view = t;
  for (size_t dim = 0; dim < lo.size(); dim++) {
    view = view.slice(static_cast<int64_t>(dim), lo[dim], hi[dim], st[dim]);
  }
  return view;
}

}  // namespace

extern "C" {

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchReshape(JNIEnv* env, jobject, jlong h,
                                                                           jlongArray shape) {
  return guarded(env, [&] { return wrap(tensor(h).reshape(longs(env, shape))); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchExpand(JNIEnv* env, jobject, jlong h,
                                                                          jlongArray shape) {
  return guarded(env, [&] { return wrap(tensor(h).expand(longs(env, shape))); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchPermute(JNIEnv* env, jobject, jlong h,
                                                                           jlongArray dims) {
  return guarded(env, [&] { return wrap(tensor(h).permute(longs(env, dims))); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchFlip(JNIEnv* env, jobject, jlong h,
                                                                        jlongArray dims) {
  return guarded(env, [&] { return wrap(tensor(h).flip(longs(env, dims))); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchRot90(JNIEnv* env, jobject, jlong h, jlong k,
                                                                         jlongArray axes) {
  return guarded(env, [&] { return wrap(at::rot90(tensor(h), k, longs(env, axes))); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchTranspose(JNIEnv* env, jobject, jlong h,
                                                                             jlong a, jlong b) {
  return guarded(env, [&] { return wrap(tensor(h).transpose(a, b)); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchFlatten(JNIEnv* env, jobject, jlong h,
                                                                           jlong start, jlong end) {
  return guarded(env, [&] { return wrap(tensor(h).flatten(start, end)); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchDiagonal(JNIEnv* env, jobject, jlong h,
                                                                            jlong offset, jlong a, jlong b) {
  return guarded(env, [&] { return wrap(at::diagonal(tensor(h), offset, a, b)); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchUnsqueeze(JNIEnv* env, jobject, jlong h,
                                                                             jlong dim) {
  return guarded(env, [&] { return wrap(tensor(h).unsqueeze(dim)); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchSqueeze__J(JNIEnv* env, jobject, jlong h) {
  return guarded(env, [&] { return wrap(tensor(h).squeeze()); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchSqueeze__JJ(JNIEnv* env, jobject, jlong h,
                                                                               jlong dim) {
  return guarded(env, [&] { return wrap(tensor(h).squeeze(dim)); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchPad(JNIEnv* env, jobject, jlong h,
                                                                       jlongArray pad, jdouble value) {
  return guarded(env, [&] { return wrap(at::constant_pad_nd(tensor(h), longs(env, pad), value)); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchStack(JNIEnv* env, jobject, jlongArray hs,
                                                                         jlong dim) {
  return guarded(env, [&] { return wrap(at::stack(tensors(env, hs), dim)); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchCat(JNIEnv* env, jobject, jlongArray hs,
                                                                       jlong dim) {
  return guarded(env, [&] { return wrap(at::cat(tensors(env, hs), dim)); });
}

// Pieces of `size` along dim (the last may be shorter).
JNIEXPORT jlongArray JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchSplit__JJJ(JNIEnv* env, jobject, jlong h,
                                                                                   jlong size, jlong dim) {
  return guarded(env, [&] { return handles(env, tensor(h).split(size, dim)); });
}

// Pieces of the given sizes along dim.
JNIEXPORT jlongArray JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchSplit__J_3JJ(JNIEnv* env, jobject, jlong h,
                                                                                     jlongArray sizes, jlong dim) {
  return guarded(env, [&] {
    std::vector<int64_t> s = longs(env, sizes);
    return handles(env, tensor(h).split_with_sizes(at::IntArrayRef(s), dim));
  });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchRepeat(JNIEnv* env, jobject, jlong h,
                                                                          jlongArray repeats) {
  return guarded(env, [&] { return wrap(tensor(h).repeat(longs(env, repeats))); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchRepeatInterleave(JNIEnv* env, jobject, jlong h,
                                                                                    jlong repeat, jlong axis) {
  return guarded(env, [&] { return wrap(at::repeat_interleave(tensor(h), repeat, axis)); });
}

// Unique values (dim -1: flattened), then the inverse indices and the counts when asked for.
JNIEXPORT jlongArray JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchUnique(JNIEnv* env, jobject, jlong h,
                                                                               jlong dim, jboolean sorted,
                                                                               jboolean inverse, jboolean counts) {
  return guarded(env, [&] {
    std::tuple<at::Tensor, at::Tensor, at::Tensor> r;
    if (dim < 0) {
      r = at::_unique2(tensor(h), sorted == JNI_TRUE, inverse == JNI_TRUE, counts == JNI_TRUE);
    } else {
      r = at::unique_dim(tensor(h), dim, sorted == JNI_TRUE, inverse == JNI_TRUE, counts == JNI_TRUE);
    }
    std::vector<at::Tensor> out{std::get<0>(r)};
    if (inverse == JNI_TRUE) out.push_back(std::get<1>(r));
    if (counts == JNI_TRUE) out.push_back(std::get<2>(r));
    return handles(env, out);
  });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchGetItem__JJ(JNIEnv* env, jobject, jlong h,
                                                                               jlong index) {
  return guarded(env, [&] { return wrap(tensor(h).select(0, index)); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchGetItem__J_3J(JNIEnv* env, jobject, jlong h,
                                                                                 jlongArray idx) {
  return guarded(env, [&] {
    at::Tensor t = tensor(h);
    for (int64_t i : longs(env, idx)) {
      t = t.select(0, i);
    }
    return wrap(t);
  });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchSlice(JNIEnv* env, jobject, jlong h, jlong dim,
                                                                         jlong start, jlong end, jlong step) {
  return guarded(env, [&] { return wrap(tensor(h).slice(dim, start, end, step)); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchIndex(JNIEnv* env, jobject, jlong h,
                                                                         jlongArray min, jlongArray max,
                                                                         jlongArray step) {
  return guarded(env, [&] { return wrap(sliced(env, tensor(h), min, max, step)); });
}

JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchIndexPut(JNIEnv* env, jobject, jlong h,
                                                                           jlong value, jlongArray min,
                                                                           jlongArray max, jlongArray step) {
  guarded(env, [&] {
    at::Tensor view = sliced(env, tensor(h), min, max, step);
    view.copy_(tensor(value));
  });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchIndexInit(JNIEnv* env, jobject, jint size) {
  return guarded(env, [&] {
    auto* v = new Indices();
    v->reserve(size);
    return reinterpret_cast<jlong>(v);
  });
}

JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchDeleteIndex(JNIEnv* env, jobject, jlong h) {
  guarded(env, [&] { delete reinterpret_cast<Indices*>(h); });
}

JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchIndexAppendNoneEllipsis(JNIEnv* env, jobject,
                                                                                          jlong h,
                                                                                          jboolean ellipsis) {
  guarded(env, [&] {
    if (ellipsis == JNI_TRUE) {
      indices(h).emplace_back(at::indexing::Ellipsis);
    } else {
      indices(h).emplace_back(at::indexing::None);
    }
  });
}

// nullSliceBinary: bit 1 set when the start is absent, bit 0 when the stop is absent.
JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchIndexAppendSlice(JNIEnv* env, jobject, jlong h,
                                                                                   jlong min, jlong max,
                                                                                   jlong step, jint nulls) {
  guarded(env, [&] {
    bool noStart = (nulls & 2) != 0;
    bool noStop = (nulls & 1) != 0;
    using at::indexing::Slice;
    if (noStart && noStop) {
      indices(h).emplace_back(Slice(at::indexing::None, at::indexing::None, step));
    } else if (noStart) {
      indices(h).emplace_back(Slice(at::indexing::None, max, step));
    } else if (noStop) {
      indices(h).emplace_back(Slice(min, at::indexing::None, step));
    } else {
      indices(h).emplace_back(Slice(min, max, step));
    }
  });
}

JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchIndexAppendFixed(JNIEnv* env, jobject, jlong h,
                                                                                   jlong idx) {
  guarded(env, [&] { indices(h).emplace_back(static_cast<int64_t>(idx)); });
}

JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchIndexAppendArray(JNIEnv* env, jobject, jlong h,
                                                                                   jlong array) {
  guarded(env, [&] { indices(h).emplace_back(tensor(array)); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchIndexAdvGet(JNIEnv* env, jobject, jlong h,
                                                                               jlong idx) {
  return guarded(env, [&] { return wrap(tensor(h).index(indices(idx))); });
}

JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchIndexAdvPut(JNIEnv* env, jobject, jlong h,
                                                                              jlong idx, jlong data) {
  guarded(env, [&] { tensor(h).index_put_(indices(idx), tensor(data)); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchGather(JNIEnv* env, jobject, jlong h,
                                                                          jlong index, jlong dim,
                                                                          jboolean sparseGrad) {
  return guarded(env, [&] { return wrap(at::gather(tensor(h), dim, tensor(index), sparseGrad == JNI_TRUE)); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchTake(JNIEnv* env, jobject, jlong h,
                                                                        jlong index) {
  return guarded(env, [&] { return wrap(at::take(tensor(h), tensor(index))); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchPut(JNIEnv* env, jobject, jlong h, jlong index,
                                                                       jlong value) {
  return guarded(env, [&] { return wrap(tensor(h).put(tensor(index), tensor(value))); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchScatter(JNIEnv* env, jobject, jlong h,
                                                                           jlong index, jlong value, jint axis) {
  return guarded(env, [&] { return wrap(at::scatter(tensor(h), axis, tensor(index), tensor(value))); });
}

JNIEXPORT jlong JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchMaskedSelect(JNIEnv* env, jobject, jlong h,
                                                                                jlong mask) {
  return guarded(env, [&] { return wrap(at::masked_select(tensor(h), tensor(mask).to(at::kBool))); });
}

// A single value fills every selected position; a full-shape value is copied where the mask is set; otherwise
// the value's elements fill the selected positions in order.
JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchMaskedPut(JNIEnv* env, jobject, jlong h,
                                                                            jlong value, jlong mask) {
  guarded(env, [&] {
    at::Tensor& t = tensor(h);
    at::Tensor m = tensor(mask).to(at::kBool);
    const at::Tensor& v = tensor(value);
    if (v.numel() == 1) {
      t.masked_fill_(m, v.reshape({}).to(t.device()));
    } else if (v.sizes() == t.sizes()) {
      t.copy_(at::where(m, v.to(t.device(), t.scalar_type()), t));
    } else {
      t.masked_scatter_(m, v.to(t.device(), t.scalar_type()));
    }
  });
}

}  // extern "C"
