// PyTorch's (Kineto) profiler for DJL's JniUtils.startProfile/stopProfile. Optional: gpu-setup.sh leaves this file
// out when a PyTorch version changed the profiler API.
#include "common/bridge.h"

#include <torch/csrc/autograd/profiler_kineto.h>

using namespace bridge;

extern "C" {

JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchStartProfile(JNIEnv* env, jobject,
                                                                               jboolean useCuda,
                                                                               jboolean recordShape,
                                                                               jboolean profileMemory) {
  guarded(env, [&] {
    namespace prof = torch::autograd::profiler;
    std::set<torch::profiler::impl::ActivityType> activities{torch::profiler::impl::ActivityType::CPU};
    if (useCuda == JNI_TRUE) {
      activities.insert(torch::profiler::impl::ActivityType::CUDA);
    }
    prof::ProfilerConfig config(prof::ProfilerState::KINETO, recordShape == JNI_TRUE, profileMemory == JNI_TRUE);
    prof::prepareProfiler(config, activities);
    prof::enableProfiler(config, activities);
  });
}

JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchStopProfile(JNIEnv* env, jobject,
                                                                              jstring outputFile) {
  guarded(env, [&] {
    auto result = torch::autograd::profiler::disableProfiler();
    if (result) {
      result->save(string(env, outputFile));
    }
  });
}

}  // extern "C"
