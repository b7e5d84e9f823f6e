// Sapling's multi-tensor AdamW step (dev.sapling.train.optim.FusedAdamW): every parameter of a model updated in one JNI
// call, with torch.optim.AdamW's arithmetic and float32 optimizer state (exp_avg, exp_avg_sq) whatever the parameter
// dtype. Optional: gpu-setup.sh leaves this file out if it fails to compile, and Sapling then runs the composed DJL
// update (dev.sapling.train.optim.AdamWUpdate.composed()).
//
// Two paths, chosen at compile time by the torch version:
//   torch >= 2.4: at::_fused_adamw_ (one multi-tensor kernel launch per step on CUDA, a vectorised loop on the CPU);
//   older torch (Debian's 1.13 here): the same arithmetic as at::_foreach_* ops, a handful of multi-tensor calls.
// Both need every list in float32 (the fused kernel checks that params, grads and state share dtype), so a
// parameter that is not a contiguous float32 tensor is updated through a float32 copy written back after the step.
#include "common/bridge.h"
#include "sapling/natives.h"

#include <cmath>

#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define BRIDGE_FUSED_ADAMW 1  // _fused_adamw_ has CUDA kernels from 2.0 on and CPU kernels from 2.4 on
#endif

using namespace bridge;

namespace {

struct Hyper {
  double lr;
  double beta1;
  double beta2;
  double eps;
  double weightDecay;
  bool amsgrad;
  int64_t step;
};

// The float32, contiguous tensors the kernels update: the parameter itself where it already is one, else a copy
// that writeBack() stores into the parameter (rounded to its dtype) once the step is done.
struct Working {
  std::vector<at::Tensor> params;
  std::vector<at::Tensor> grads;
  std::vector<at::Tensor> expAvgs;
  std::vector<at::Tensor> expAvgSqs;
  std::vector<at::Tensor> maxExpAvgSqs;
  std::vector<std::pair<at::Tensor, at::Tensor>> copies;  // (parameter, its float32 working copy)

  void writeBack() {
    for (auto& c : copies) {
      c.first.copy_(c.second);
    }
  }
};

std::string shapeOf(const at::Tensor& t) {
  std::string s = "(";
  for (int64_t i = 0; i < t.dim(); i++) {
    s += (i ? ", " : "") + std::to_string(t.size(i));
  }
  return s + ")";
}

void checkState(const at::Tensor& state, const at::Tensor& param, size_t i, const char* name) {
  TORCH_CHECK(state.scalar_type() == at::kFloat && state.is_contiguous(), "AdamW ", name, " ", i,
              " must be a contiguous float32 tensor, got ", state.scalar_type());
  TORCH_CHECK(state.sizes() == param.sizes() && state.device() == param.device(), "AdamW ", name, " ", i,
              " has shape ", shapeOf(state), " on ", state.device(), " but parameter ", i, " has shape ",
              shapeOf(param), " on ", param.device());
}

Working working(const std::vector<at::Tensor>& params, const std::vector<at::Tensor>& grads,
                const std::vector<at::Tensor>& expAvgs, const std::vector<at::Tensor>& expAvgSqs,
                const std::vector<at::Tensor>& maxExpAvgSqs, bool amsgrad) {
  size_t n = params.size();
  TORCH_CHECK(grads.size() == n && expAvgs.size() == n && expAvgSqs.size() == n, "AdamW: ", n, " parameters but ",
              grads.size(), " gradients, ", expAvgs.size(), " exp_avgs and ", expAvgSqs.size(), " exp_avg_sqs");
  TORCH_CHECK(maxExpAvgSqs.size() == (amsgrad ? n : 0), "AdamW: amsgrad=", amsgrad, " needs ", amsgrad ? n : 0,
              " max_exp_avg_sqs, got ", maxExpAvgSqs.size());
  Working w;
  for (size_t i = 0; i < n; i++) {
    const at::Tensor& p = params[i];
    const at::Tensor& g = grads[i];
    TORCH_CHECK(at::isFloatingType(p.scalar_type()), "AdamW parameter ", i, " has dtype ", p.scalar_type(),
                "; only floating-point parameters can be trained");
    TORCH_CHECK(p.device() == params[0].device(), "AdamW parameter ", i, " is on ", p.device(),
                " but parameter 0 is on ", params[0].device(), "; one optimizer step runs on one device");
    TORCH_CHECK(g.sizes() == p.sizes() && g.device() == p.device(), "AdamW gradient ", i, " has shape ",
                shapeOf(g), " on ", g.device(), " but parameter ", i, " has shape ", shapeOf(p), " on ",
                p.device());
    checkState(expAvgs[i], p, i, "exp_avg");
    checkState(expAvgSqs[i], p, i, "exp_avg_sq");
    if (amsgrad) {
      checkState(maxExpAvgSqs[i], p, i, "max_exp_avg_sq");
    }
    if (p.numel() == 0) {
      continue;  // nothing to update, and the fused kernel refuses empty tensors
    }
    at::Tensor p32 = p;
    if (p.scalar_type() != at::kFloat || !p.is_contiguous()) {
      p32 = p.to(at::kFloat, /*non_blocking=*/false, /*copy=*/true).contiguous();
      w.copies.emplace_back(p, p32);
    }
    w.params.push_back(p32);
    w.grads.push_back(g.to(at::kFloat).contiguous());
    w.expAvgs.push_back(expAvgs[i]);
    w.expAvgSqs.push_back(expAvgSqs[i]);
    if (amsgrad) {
      w.maxExpAvgSqs.push_back(maxExpAvgSqs[i]);
    }
  }
  return w;
}

// torch.optim.AdamW's single-tensor arithmetic, as multi-tensor ops:
//   p *= 1 - lr * wd;  m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2;  (amsgrad: vmax = max(vmax, v))
//   p -= lr / (1 - beta1^t) * m / (sqrt(v or vmax) / sqrt(1 - beta2^t) + eps)
void foreachStep(Working& w, const Hyper& h) {
  double biasCorrection1 = 1 - std::pow(h.beta1, static_cast<double>(h.step));
  double biasCorrection2Sqrt = std::sqrt(1 - std::pow(h.beta2, static_cast<double>(h.step)));
  if (h.weightDecay != 0) {
    at::_foreach_mul_(w.params, 1 - h.lr * h.weightDecay);
  }
  at::_foreach_mul_(w.expAvgs, h.beta1);
  at::_foreach_add_(w.expAvgs, w.grads, 1 - h.beta1);
  at::_foreach_mul_(w.expAvgSqs, h.beta2);
  at::_foreach_addcmul_(w.expAvgSqs, w.grads, w.grads, 1 - h.beta2);
  std::vector<at::Tensor>* second = &w.expAvgSqs;
  if (h.amsgrad) {
    at::_foreach_maximum_(w.maxExpAvgSqs, w.expAvgSqs);
    second = &w.maxExpAvgSqs;
  }
  std::vector<at::Tensor> denom = at::_foreach_sqrt(*second);
  at::_foreach_div_(denom, biasCorrection2Sqrt);
  at::_foreach_add_(denom, h.eps);
  at::_foreach_addcdiv_(w.params, w.expAvgs, denom, -h.lr / biasCorrection1);
}

#ifdef BRIDGE_FUSED_ADAMW
bool fusedKernelFor(const at::Device& d) { return d.is_cpu() || d.is_cuda(); }

void fusedStep(Working& w, const Hyper& h) {
  // The kernel reads the step number from a float32 tensor per parameter (torch.optim keeps one per parameter);
  // one shared tensor holds it here.
  at::Tensor step = at::full({}, static_cast<double>(h.step), at::TensorOptions().dtype(at::kFloat)
                                                                   .device(w.params[0].device()));
  std::vector<at::Tensor> steps(w.params.size(), step);
  at::_fused_adamw_(w.params, w.grads, w.expAvgs, w.expAvgSqs, w.maxExpAvgSqs, steps, h.lr, h.beta1, h.beta2,
                    h.weightDecay, h.eps, h.amsgrad, /*maximize=*/false);
}
#endif

}  // namespace

namespace {
// The natives of dev.sapling.train.optim.FusedAdamW, under their Java names (bound by sapling/natives.cc).
namespace jni {

jint version(JNIEnv* env, jclass) { return 1; }

// Which multi-tensor path this build runs on a CPU or CUDA device.
jstring implementation(JNIEnv* env, jclass) {
#ifdef BRIDGE_FUSED_ADAMW
  return env->NewStringUTF("at::_fused_adamw_");
#else
  return env->NewStringUTF("at::_foreach_*");
#endif
}

void step(JNIEnv* env, jclass, jlongArray params, jlongArray grads, jlongArray expAvgs, jlongArray expAvgSqs,
    jlongArray maxExpAvgSqs, jlong step, jdouble lr, jdouble beta1, jdouble beta2, jdouble eps, jdouble weightDecay,
    jboolean amsgrad) {
  guarded(env, [&] {
    c10::NoGradGuard noGrad;
    Hyper h{lr, beta1, beta2, eps, weightDecay, amsgrad == JNI_TRUE, static_cast<int64_t>(step)};
    TORCH_CHECK(h.step >= 1, "AdamW step number must be >= 1, got ", h.step);
    Working w = working(tensors(env, params), tensors(env, grads), tensors(env, expAvgs), tensors(env, expAvgSqs),
                        tensors(env, maxExpAvgSqs), h.amsgrad);
    if (w.params.empty()) {
      return;
    }
#ifdef BRIDGE_FUSED_ADAMW
    if (fusedKernelFor(w.params[0].device())) {
      fusedStep(w, h);
    } else {
      foreachStep(w, h);
    }
#else
    foreachStep(w, h);
#endif
    w.writeBack();
  });
}

}  // namespace jni
}  // namespace

std::vector<sapling::Native> sapling::fusedAdamWNatives() {
  return {SAPLING_NATIVE(version), SAPLING_NATIVE(implementation), SAPLING_NATIVE(step)};
}
