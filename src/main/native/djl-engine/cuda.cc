// DJL's CUDA-only engine native (PtEngine's CUDA cache release). Optional: built only against a CUDA PyTorch
// (CMakeLists.txt adds it when the c10_cuda target exists).
#include "common/bridge.h"

#include <c10/cuda/CUDACachingAllocator.h>

using namespace bridge;

extern "C" {

JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchCudaEmptyCache(JNIEnv* env, jobject) {
  guarded(env, [&] { c10::cuda::CUDACachingAllocator::emptyCache(); });
}

}  // extern "C"
