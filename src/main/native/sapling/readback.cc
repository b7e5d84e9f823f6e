// Reads small device tensors back without waiting for the work queued after them
// (dev.sapling.runtime.device.AsyncReadback): enqueue copies the tensor, in stream order on the current stream, into
// a pinned host buffer of its slot and records an event after the copy; await waits for that event only. So the host
// can launch the next decode step before it reads the previous step's result. Device-generic ATen/c10 only (no CUDA
// headers): it builds against Debian's CPU libtorch 1.13 and the GPU host's torch. A CPU tensor is copied at once.
// Optional: gpu-setup.sh leaves this file out if it fails to compile, and Java then reads synchronously.
#include "common/bridge.h"
#include "sapling/natives.h"

#include <c10/core/Event.h>
#include <c10/core/impl/VirtualGuardImpl.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

using namespace bridge;

namespace {

struct Slot {
  at::Tensor host;                     // pinned for device tensors; a private copy for CPU tensors
  std::unique_ptr<c10::Event> event;   // recorded after the copy; null for a CPU copy
  c10::Device device = c10::Device(c10::kCPU);
  int64_t count = 0;
  bool pending = false;
};

struct Readback {
  std::vector<Slot> slots;
};

Readback& readback(jlong handle) {
  if (handle == 0) {
    throw std::invalid_argument("AsyncReadback: null or closed readback handle");
  }
  return *reinterpret_cast<Readback*>(handle);
}

Slot& slotOf(Readback& r, jint slot) {
  if (slot < 0 || slot >= static_cast<jint>(r.slots.size())) {
    throw std::invalid_argument("AsyncReadback: slot " + std::to_string(slot) + " is outside [0, " +
                                std::to_string(r.slots.size()) + ")");
  }
  return r.slots[slot];
}

// Waits for the slot's event: a short spin that yields the core, then short sleeps (a decode step is ~1 ms, so the
// wait is usually spent in the spin).
void waitFor(Slot& s) {
  if (!s.pending) {
    return;
  }
  if (s.event) {
    auto start = std::chrono::steady_clock::now();
    while (!s.event->query()) {
      if (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(5)) {
        std::this_thread::yield();
      } else {
        std::this_thread::sleep_for(std::chrono::microseconds(20));
      }
    }
  }
  s.pending = false;
}

}  // namespace

namespace {
// The natives of dev.sapling.runtime.device.AsyncReadback, under their Java names (bound by sapling/natives.cc).
namespace jni {

jint version(JNIEnv* env, jclass) { return 1; }

jlong create(JNIEnv* env, jclass, jint slots) {
  return guarded(env, [&]() -> jlong {
    if (slots < 1) {
      throw std::invalid_argument("AsyncReadback: " + std::to_string(slots) + " slots; expected at least 1");
    }
    auto* r = new Readback();
    r->slots.resize(slots);
    return reinterpret_cast<jlong>(r);
  });
}

void free(JNIEnv* env, jclass, jlong handle) {
  // A copy still in flight is safe to abandon: the pinned allocator keeps its block until the copy's stream passes it.
  guarded(env, [&] { delete reinterpret_cast<Readback*>(handle); });
}

void enqueue(JNIEnv* env, jclass, jlong handle, jint slot, jlong source) {
  guarded(env, [&] {
    Slot& s = slotOf(readback(handle), slot);
    waitFor(s);  // its buffer may still be the target of the previous copy
    at::Tensor src = tensor(source).reshape({-1});
    if (src.scalar_type() != at::kFloat) {
      src = src.to(at::kFloat);  // queued on the device like the copy
    }
    s.count = src.numel();
    if (src.device().is_cpu()) {
      s.host = src.clone();  // the source may be rewritten by the next step
      s.event.reset();
      return;
    }
    if (!s.host.defined() || s.host.numel() < s.count || !s.host.is_pinned()) {
      s.host = at::empty({s.count}, at::TensorOptions().dtype(at::kFloat).pinned_memory(true));
    }
    s.host.narrow(0, 0, s.count).copy_(src, /*non_blocking=*/true);
    if (!s.event || s.device != src.device()) {
      s.event = std::make_unique<c10::Event>(src.device().type());
      s.device = src.device();
    }
    c10::impl::VirtualGuardImpl guard(src.device().type());
    s.event->record(guard.getStream(src.device()));
    s.pending = true;
  });
}

jfloatArray await(JNIEnv* env, jclass, jlong handle, jint slot) {
  return guarded(env, [&]() -> jfloatArray {
    Slot& s = slotOf(readback(handle), slot);
    if (!s.host.defined()) {
      throw std::invalid_argument("AsyncReadback: slot " + std::to_string(slot) + " has nothing enqueued");
    }
    waitFor(s);
    jfloatArray out = env->NewFloatArray(static_cast<jsize>(s.count));
    if (out == nullptr) {
      throw JavaPending();
    }
    env->SetFloatArrayRegion(out, 0, static_cast<jsize>(s.count), s.host.contiguous().data_ptr<float>());
    return out;
  });
}

}  // namespace jni
}  // namespace

std::vector<sapling::Native> sapling::asyncReadbackNatives() {
  return {SAPLING_NATIVE(version), SAPLING_NATIVE(create), SAPLING_NATIVE(free), SAPLING_NATIVE(enqueue),
          SAPLING_NATIVE(await)};
}
