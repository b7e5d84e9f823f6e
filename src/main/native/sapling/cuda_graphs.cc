// CUDA graphs for dev.sapling.model.CudaGraphRecorder. Optional: built only against a CUDA PyTorch (CMakeLists.txt
// adds it when the c10_cuda target exists).
#include "common/bridge.h"
#include "sapling/natives.h"

#include <ATen/cuda/CUDAContext.h>
#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAStream.h>

#include <memory>

using namespace bridge;

namespace {

// One recorded step (CudaGraphRecorder): the graph, and the stream that was current
// before recording, restored when recording ends. Work is captured on a side stream (CUDA cannot capture the
// default stream) that first waits for everything already queued.
struct Recording {
  Recording(c10::cuda::CUDAStream previous, c10::cuda::CUDAStream side) : previous(previous), side(side) {}
  at::cuda::CUDAGraph graph;
  c10::cuda::CUDAStream previous;
  c10::cuda::CUDAStream side;
  bool capturing = false;
  bool failed = false;
};

// Set once a capture has failed: PyTorch's allocator may then still count that capture as under way (its
// capture_end throws before it ends allocation to the graph's pool), and emptying the cache would trip its assert. No
// more recordings are made in this process, and the cache is left alone.
bool capturesBroken = false;

Recording& recording(jlong handle) {
  if (handle == 0) {
    throw std::invalid_argument("null recording handle");
  }
  return *reinterpret_cast<Recording*>(handle);
}

// Ends the capture and makes the previous stream current again, whether or not the capture is valid.
void endCapture(Recording& r) {
  r.capturing = false;
  try {
    r.graph.capture_end();
  } catch (...) {
    r.failed = true;
    capturesBroken = true;
    c10::cuda::setCurrentCUDAStream(r.previous);
    throw;
  }
  c10::cuda::setCurrentCUDAStream(r.previous);
}

}  // namespace

namespace {
// The natives of dev.sapling.model.CudaGraphRecorder, under their Java names (bound by sapling/natives.cc).
namespace jni {

jboolean available(JNIEnv* env, jclass) {
  return guarded(env, [&] { return static_cast<jboolean>(at::cuda::is_available() ? JNI_TRUE : JNI_FALSE); });
}

// The device captures record on: the thread's current CUDA device (DJL never changes it, so gpu(0)).
jint currentDevice(JNIEnv* env, jclass) {
  return guarded(env, [&] { return static_cast<jint>(c10::cuda::current_device()); });
}

jlong begin(JNIEnv* env, jclass) {
  return guarded(env, [&] {
    if (capturesBroken) {
      throw std::runtime_error("an earlier CUDA graph capture in this process failed; steps run without graphs");
    }
    c10::cuda::CUDAStream previous = c10::cuda::getCurrentCUDAStream();
    auto r = std::make_unique<Recording>(previous, c10::cuda::getStreamFromPool());
    at::cuda::CUDAEvent queued;
    queued.record(previous);
    queued.block(r->side);
    c10::cuda::setCurrentCUDAStream(r->side);
    try {
      r->graph.capture_begin({0, 0}, cudaStreamCaptureModeThreadLocal);
    } catch (...) {
      c10::cuda::setCurrentCUDAStream(previous);
      throw;
    }
    r->capturing = true;
    return reinterpret_cast<jlong>(r.release());
  });
}

void end(JNIEnv* env, jclass, jlong handle) {
  guarded(env, [&] { endCapture(recording(handle)); });
}

void replay(JNIEnv* env, jclass, jlong handle) {
  guarded(env, [&] { recording(handle).graph.replay(); });
}

// Frees a recording; ends its capture first when the step failed mid-way (the capture error is dropped: the step's
// own error is the one to report). A freed graph's private memory pool goes back to the device only when the caching
// allocator empties its cache (otherwise every new batch's recording would add its pool to the reserved memory, which
// measured +244 MiB over 2,000 completions), so the cache is emptied here, once per recording, unless a capture
// failed (see capturesBroken).
void free(JNIEnv* env, jclass, jlong handle) {
  guarded(env, [&] {
    {
      std::unique_ptr<Recording> r(&recording(handle));
      if (r->capturing) {
        try {
          endCapture(*r);
        } catch (...) {
        }
      }
    }
    if (!capturesBroken) {
      c10::cuda::CUDACachingAllocator::emptyCache();
    }
  });
}

}  // namespace jni
}  // namespace

std::vector<sapling::Native> sapling::cudaGraphRecorderNatives() {
  return {SAPLING_NATIVE(available), SAPLING_NATIVE(currentDevice), SAPLING_NATIVE(begin), SAPLING_NATIVE(end),
          SAPLING_NATIVE(replay), SAPLING_NATIVE(free)};
}
