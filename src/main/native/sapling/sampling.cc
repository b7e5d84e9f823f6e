// Token choice on the device in one JNI call (dev.sapling.runtime.sampling.FusedSampling): greedy, temperature,
// top-k, top-p, min-p, repetition and presence penalties, with TokenSampler's inverse-CDF draw in float64. The
// per-row numbers cross to the device in one copy (two with penalties) and the result comes back in one copy of
// 2 floats per row. ComposedSampling.java is the same computation in DJL ops; keep the two in step. Optional:
// gpu-setup.sh leaves this file out if it fails to compile, and Sapling then uses the composed ops.
#include "common/bridge.h"
#include "cuda/decode_kernels_aten.h"
#include "sapling/natives.h"

#include <algorithm>

using namespace bridge;

namespace {

// Rows of the per-request numbers tensor (ComposedSampling uses the same layout).
enum Field : int64_t {
  kTemperature,  // 1 for greedy rows, so the division is harmless
  kKeepK,        // min(top_k, vocab), or vocab when top-k is off
  kTopP,
  kMinP,
  kRepetition,
  kPresence,
  kUniform,
  kGreedy,       // 1 or 0
  kFiltered,     // top-k, top-p or min-p on: the draw walks tokens by rank, not by id
  kHasTopK,
  kHasTopP,
  kFields
};

template <typename J, typename T>
std::vector<T> values(JNIEnv* env, J array) {
  jsize n = env->GetArrayLength(array);
  std::vector<T> out(n);
  if constexpr (std::is_same_v<J, jintArray>) {
    std::vector<jint> tmp(n);
    env->GetIntArrayRegion(array, 0, n, tmp.data());
    std::copy(tmp.begin(), tmp.end(), out.begin());
  } else {
    std::vector<jdouble> tmp(n);
    env->GetDoubleArrayRegion(array, 0, n, tmp.data());
    std::copy(tmp.begin(), tmp.end(), out.begin());
  }
  return out;
}

at::Tensor column(const at::Tensor& numbers, Field f) { return numbers[f].unsqueeze(1); }

// Order of the tokens by float32 probability, highest first, lowest id first among equals: TokenSampler's key.
at::Tensor rankOrder(const at::Tensor& p) {
  return std::get<1>(at::sort(p.to(at::kFloat), /*stable=*/true, /*dim=*/1, /*descending=*/true));
}

// Sum over the last dimension of a boolean or integer mask, as int64 [n, 1].
at::Tensor count(const at::Tensor& mask) { return mask.to(at::kLong).sum(1, true); }

// One token per row from the draw weights p (max 1 per row); see TokenSampler.drawInOrder and drawFiltered.
at::Tensor draw(const at::Tensor& p, const at::Tensor& numbers, bool anyFiltered, bool anyPlain) {
  int64_t vocab = p.size(1);
  at::Tensor u = column(numbers, kUniform);
  at::Tensor positive = p > 0;
  at::Tensor ids = at::arange(vocab, p.options().dtype(at::kLong)).unsqueeze(0);
  at::Tensor cumulative = p.cumsum(1);
  at::Tensor total = cumulative.narrow(1, vocab - 1, 1);
  at::Tensor inOrder;
  if (anyPlain) {
    // the first id whose cumulative weight exceeds u * total, else the last id with weight
    inOrder = count(cumulative <= u * total);
    at::Tensor lastPositive = std::get<0>((positive.to(at::kLong) * ids).max(1, true));
    inOrder = at::where(inOrder >= vocab, lastPositive, inOrder);
    if (!anyFiltered) {
      return inOrder.squeeze(1);
    }
  }
  at::Tensor order = rankOrder(p);
  at::Tensor ranked = p.gather(1, order);
  at::Tensor rankedCumulative = ranked.cumsum(1);
  at::Tensor keepK = at::minimum(column(numbers, kKeepK).to(at::kLong), count(positive)).clamp_min(1);
  // top-p over the renormalised top-k mass (or over everything without top-k): the shortest prefix reaching it
  at::Tensor denominator =
      at::where(column(numbers, kHasTopK) != 0, rankedCumulative.gather(1, keepK - 1), total);
  at::Tensor reach = count((rankedCumulative < column(numbers, kTopP) * denominator) & (ids < keepK)) + 1;
  at::Tensor kept = at::where(column(numbers, kHasTopP) != 0, at::minimum(reach, keepK), keepK);
  // min-p: tokens at least min_p times the most likely one (weight 1); min_p 0 keeps all
  kept = count((ranked >= column(numbers, kMinP)) & (ids < kept)).clamp_min(1);
  at::Tensor target = u * rankedCumulative.gather(1, kept - 1);
  at::Tensor rank = at::minimum(count((rankedCumulative <= target) & (ids < kept)), kept - 1);
  at::Tensor filtered = order.gather(1, rank);
  return (anyPlain ? at::where(column(numbers, kFiltered) != 0, filtered, inOrder) : filtered).squeeze(1);
}

// [2, n] float32 on the host: chosen ids (exact below 2^24), then their log-probs under the unmodified logits.
at::Tensor choose(const at::Tensor& logits, const at::Tensor& hostNumbers, const at::Tensor& hostIndices, int64_t n,
                  int64_t seen, int64_t generated, bool anyGreedy, bool anySampled, bool anyFiltered,
                  bool anyPlain) {
  int64_t vocab = logits.size(-1);
  at::Tensor numbers = hostNumbers.to(logits.device());
  at::Tensor indices = hostIndices.to(logits.device());
  at::Tensor x = logits.reshape({-1, vocab}).index_select(0, indices.narrow(0, 0, n)).to(at::kDouble);
  at::Tensor max = std::get<0>(x.max(1, true));
  at::Tensor logZ = (x - max).exp().sum(1, true).log() + max;
  at::Tensor z = x;
  if (seen > 0) {
    at::Tensor flat = indices.narrow(0, n, seen) * vocab + indices.narrow(0, n + seen, seen);
    at::Tensor mask = at::zeros({n * vocab}, x.options().dtype(at::kBool)).index_fill_(0, flat, true).view({n, vocab});
    at::Tensor rp = column(numbers, kRepetition);
    z = at::where(mask, at::where(z > 0, z / rp, z * rp), z);
  }
  if (generated > 0) {
    int64_t from = n + 2 * seen;
    at::Tensor flat = indices.narrow(0, from, generated) * vocab + indices.narrow(0, from + generated, generated);
    at::Tensor mask = at::zeros({n * vocab}, x.options().dtype(at::kBool)).index_fill_(0, flat, true).view({n, vocab});
    z = at::where(mask, z - column(numbers, kPresence), z);
  }
  at::Tensor tokens;
  if (anySampled) {
    at::Tensor s = z / column(numbers, kTemperature);
    at::Tensor p = (s - std::get<0>(s.max(1, true))).exp();
    tokens = draw(p, numbers, anyFiltered, anyPlain);
    if (anyGreedy) {
      tokens = at::where(numbers[kGreedy] != 0, z.argmax(1), tokens);
    }
  } else {
    tokens = z.argmax(1);
  }
  at::Tensor logprobs = (x.gather(1, tokens.unsqueeze(1)) - logZ).squeeze(1);
  return at::stack({tokens.to(at::kFloat), logprobs.to(at::kFloat)}).to(at::kCPU);
}

}  // namespace

namespace {
// The natives of dev.sapling.runtime.sampling.FusedSampling, under their Java names (bound by sapling/natives.cc).
namespace jni {

jint version(JNIEnv* env, jclass) { return 1; }

// The recorded plain draw (RecordedPlainSampler) as the decode kernel's two launches; 0 where no decode kernel
// applies (the caller then composes it from ATen ops).
jlong recordedDraw(JNIEnv* env, jclass, jlong logits, jlong uniforms, jlong step, jdouble temperature,
    jboolean greedy, jlong tokens) {
  return guarded(env, [&]() -> jlong {
    if (decodeKernels == nullptr) {
      return 0;
    }
    at::Tensor out = decodeKernels->sample(tensor(logits), tensor(uniforms), tensor(step), temperature,
                                           greedy == JNI_TRUE, tensor(tokens));
    return out.defined() ? wrap(out) : 0;
  });
}

jfloatArray select(JNIEnv* env, jclass, jlong logits, jintArray logitRow, jdoubleArray temperature, jintArray topK,
    jdoubleArray topP, jdoubleArray minP, jdoubleArray repetitionPenalty, jdoubleArray presencePenalty,
    jdoubleArray uniform, jintArray seenRequest, jintArray seenToken, jintArray generatedRequest,
    jintArray generatedToken) {
  return guarded(env, [&]() -> jfloatArray {
    const at::Tensor& l = tensor(logits);
    int64_t vocab = l.size(-1);
    std::vector<int64_t> rows = values<jintArray, int64_t>(env, logitRow);
    int64_t n = static_cast<int64_t>(rows.size());
    std::vector<double> t = values<jdoubleArray, double>(env, temperature);
    std::vector<int64_t> k = values<jintArray, int64_t>(env, topK);
    std::vector<double> tp = values<jdoubleArray, double>(env, topP);
    std::vector<double> mp = values<jdoubleArray, double>(env, minP);
    std::vector<double> rp = values<jdoubleArray, double>(env, repetitionPenalty);
    std::vector<double> pp = values<jdoubleArray, double>(env, presencePenalty);
    std::vector<double> u = values<jdoubleArray, double>(env, uniform);
    for (const auto* v : {&t, &tp, &mp, &rp, &pp, &u}) {
      if (static_cast<int64_t>(v->size()) != n) {
        throw std::invalid_argument("FusedSampling.select: every per-row array needs one value per row");
      }
    }
    if (static_cast<int64_t>(k.size()) != n) {
      throw std::invalid_argument("FusedSampling.select: topK needs one value per row");
    }
    std::vector<int64_t> sr = values<jintArray, int64_t>(env, seenRequest);
    std::vector<int64_t> st = values<jintArray, int64_t>(env, seenToken);
    std::vector<int64_t> gr = values<jintArray, int64_t>(env, generatedRequest);
    std::vector<int64_t> gt = values<jintArray, int64_t>(env, generatedToken);
    if (sr.size() != st.size() || gr.size() != gt.size()) {
      throw std::invalid_argument("FusedSampling.select: penalty lists need one request per token");
    }
    for (int64_t r : rows) {
      if (r < 0 || r >= l.numel() / vocab) {
        throw std::invalid_argument("FusedSampling.select: logits row " + std::to_string(r) + " is outside [0, " +
                                    std::to_string(l.numel() / vocab) + ")");
      }
    }
    at::Tensor numbers = at::zeros({kFields, n}, at::TensorOptions().dtype(at::kDouble));
    auto a = numbers.accessor<double, 2>();
    bool anyGreedy = false, anySampled = false, anyFiltered = false, anyPlain = false;
    for (int64_t i = 0; i < n; i++) {
      bool greedy = t[i] == 0;
      bool filtered = k[i] > 0 || tp[i] < 1 || mp[i] > 0;
      anyGreedy |= greedy;
      anySampled |= !greedy;
      anyFiltered |= !greedy && filtered;
      anyPlain |= !greedy && !filtered;
      a[kTemperature][i] = greedy ? 1.0 : t[i];
      a[kKeepK][i] = static_cast<double>(k[i] > 0 ? std::min(k[i], vocab) : vocab);
      a[kTopP][i] = tp[i];
      a[kMinP][i] = mp[i];
      a[kRepetition][i] = rp[i];
      a[kPresence][i] = pp[i];
      a[kUniform][i] = u[i];
      a[kGreedy][i] = greedy;
      a[kFiltered][i] = filtered;
      a[kHasTopK][i] = k[i] > 0;
      a[kHasTopP][i] = tp[i] < 1;
    }
    std::vector<int64_t> idx(rows);
    for (const auto* v : {&sr, &st, &gr, &gt}) {
      idx.insert(idx.end(), v->begin(), v->end());
    }
    at::Tensor indices = at::tensor(idx, at::TensorOptions().dtype(at::kLong));
    at::Tensor out = choose(l, numbers, indices, n, static_cast<int64_t>(sr.size()), static_cast<int64_t>(gr.size()),
                            anyGreedy, anySampled, anyFiltered, anyPlain).contiguous();
    jfloatArray result = env->NewFloatArray(static_cast<jsize>(2 * n));
    if (result == nullptr) {
      throw JavaPending();
    }
    env->SetFloatArrayRegion(result, 0, static_cast<jsize>(2 * n), out.data_ptr<float>());
    return result;
  });
}

}  // namespace jni
}  // namespace

std::vector<sapling::Native> sapling::fusedSamplingNatives() {
  return {SAPLING_NATIVE(version), SAPLING_NATIVE(recordedDraw), SAPLING_NATIVE(select)};
}
