// CODESSM_FUZZ_TARGET(name) { body using `data`, `size` }: one fuzz entry point, built two ways.
//  - libFuzzer builds (-DCODESSM_BUILD_FUZZERS=ON, clang): each target is its own binary and the body is
//    LLVMFuzzerTestOneInput;
//  - ordinary builds: every target is registered by name in codessm_fuzz_replay, which CTest uses to replay
//    the seed corpora and the regression inputs (fuzz/regressions/<name>/) under gcc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace codessm::fuzz {

using TargetFn = std::function<int(const uint8_t* data, size_t size)>;

/// Targets registered in the replay binary, by name.
inline std::map<std::string, TargetFn>& registry() {
  static std::map<std::string, TargetFn> r;
  return r;
}

struct Registrar {
  Registrar(const std::string& name, TargetFn f) { registry().emplace(name, std::move(f)); }
};

}  // namespace codessm::fuzz

#ifdef CODESSM_LIBFUZZER
#define CODESSM_FUZZ_TARGET(name)                                                   \
  static int codessm_fuzz_##name(const uint8_t* data, size_t size);                 \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {         \
    return codessm_fuzz_##name(data, size);                                         \
  }                                                                                 \
  static int codessm_fuzz_##name(const uint8_t* data, size_t size)
#else
#define CODESSM_FUZZ_TARGET(name)                                                   \
  static int codessm_fuzz_##name(const uint8_t* data, size_t size);                 \
  static const ::codessm::fuzz::Registrar codessm_fuzz_registrar_##name(#name, codessm_fuzz_##name); \
  static int codessm_fuzz_##name(const uint8_t* data, size_t size)
#endif
