# Finds the third-party libraries. Debian 12 provides all of them as packages (scripts/setup.sh);
# the GPU machine provides LibTorch through PyTorch (-DCMAKE_PREFIX_PATH=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')).
find_package(Threads REQUIRED)
find_package(Torch REQUIRED)
find_package(nlohmann_json 3.9 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(PkgConfig)

# CUDA LibTorch exposes the torch_cuda library; Debian's CPU build does not.
set(CODESSM_HAVE_CUDA OFF)
if(TARGET torch_cuda OR TORCH_CUDA_LIBRARIES)
  set(CODESSM_HAVE_CUDA ON)
endif()
message(STATUS "codessm: LibTorch ${Torch_VERSION} (CUDA: ${CODESSM_HAVE_CUDA})")

if(CODESSM_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(CODESSM_BUILD_BENCHMARKS)
  find_package(benchmark QUIET)
  if(NOT benchmark_FOUND)
    message(STATUS "codessm: Google Benchmark not found; benchmarks disabled")
    set(CODESSM_BUILD_BENCHMARKS OFF)
  endif()
endif()
