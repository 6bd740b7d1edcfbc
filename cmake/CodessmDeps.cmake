# Finds the third-party libraries. Debian 12 provides all of them as packages (scripts/setup.sh);
# the GPU machine provides LibTorch through PyTorch (-DCMAKE_PREFIX_PATH=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')).
find_package(Threads REQUIRED)
find_package(Torch REQUIRED)
find_package(nlohmann_json 3.9 REQUIRED)
find_package(CLI11 REQUIRED)
# OpenMP (the compiler's runtime, libgomp) for DirectProbe's parallel sections; found here, not in src/probe,
# so that its imported target is visible to the OpenMP precompiled-header owner (cmake/CodessmModule.cmake).
find_package(OpenMP COMPONENTS CXX)
# PyTorch 2.x's LibTorch ships its own fmt headers, which come first on the include path; then fmt is used
# header-only from there and spdlog (built for the system fmt) is replaced by core/logging.h's small logger.
set(CODESSM_USE_TORCH_FMT OFF)
if(TORCH_INSTALL_PREFIX AND NOT TORCH_INSTALL_PREFIX MATCHES "^/usr/?$" AND EXISTS "${TORCH_INSTALL_PREFIX}/include/fmt/format.h")
  set(CODESSM_USE_TORCH_FMT ON)
  message(STATUS "codessm: using LibTorch's bundled fmt (header-only), no spdlog")
else()
  find_package(fmt REQUIRED)
  find_package(spdlog REQUIRED)
endif()
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
