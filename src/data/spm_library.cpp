#include "spm_library.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include <torch/version.h>

#include "codessm/core/error.h"

namespace codessm::data {

namespace {

// AddressSanitizer refuses RTLD_DEEPBIND (it would bypass its malloc interceptors). Sanitizer builds are the
// fuzz targets, which do not load LibTorch, so SentencePiece's protobuf copy has nothing to clash with there.
#if defined(__SANITIZE_ADDRESS__)
constexpr int kDeepBind = 0;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr int kDeepBind = 0;
#else
constexpr int kDeepBind = RTLD_DEEPBIND;
#endif
#else
constexpr int kDeepBind = RTLD_DEEPBIND;
#endif

// Whether the shim needs RTLD_DEEPBIND: Debian's LibTorch 1.13 links the system libprotobuf, whose exported
// symbols would capture SentencePiece's copy. PyTorch 2.x's own LibTorch keeps its protobuf private, and DEEPBIND
// there breaks libstdc++ inside SentencePiece's absl flags (free(): invalid pointer while the library loads; seen
// on the H200 machine with Ubuntu's libsentencepiece 0.2.0). The only LibTorch-version test outside
// tensor/torch_compat.h: version.h is macros only, and the fuzz targets that use this file link without LibTorch.
constexpr bool kNeedsDeepBind = TORCH_VERSION_MAJOR < 2;

std::vector<std::string> candidate_paths() {
  std::vector<std::string> out;
  if (const char* env = std::getenv("CODESSM_SPM_SHIM")) out.emplace_back(env);
#ifdef CODESSM_SPM_SHIM_PATH
  out.emplace_back(CODESSM_SPM_SHIM_PATH);
#endif
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) out.push_back((exe.parent_path() / "libcodessm_spm_shim.so").string());
  return out;
}

SpmLibrary load_library() {
  std::string tried;
  void* handle = nullptr;
  // RTLD_DEEPBIND only where LibTorch's protobuf is exported (kNeedsDeepBind); CODESSM_SPM_DEEPBIND=0|1 overrides.
  const char* deep_env = std::getenv("CODESSM_SPM_DEEPBIND");
  const bool want = deep_env != nullptr ? std::string(deep_env) != "0" : kNeedsDeepBind;
  const int deep = want ? kDeepBind : 0;
  for (const auto& p : candidate_paths()) {
    handle = ::dlopen(p.c_str(), RTLD_NOW | RTLD_LOCAL | deep);
    if (handle) break;
    tried += fmt::format("\n  {}: {}", p, ::dlerror());
  }
  if (!handle) {
    throw DataError(fmt::format("cannot load the SentencePiece shim libcodessm_spm_shim.so (build target "
                                "codessm_spm_shim, or set CODESSM_SPM_SHIM to its path); tried:{}",
                                tried));
  }
  auto sym = [&](const char* name) {
    void* f = ::dlsym(handle, name);
    CODESSM_REQUIRE(f != nullptr, DataError, "SentencePiece shim lacks symbol '{}': rebuild codessm_spm_shim", name);
    return f;
  };
  SpmLibrary lib{};
  lib.load = reinterpret_cast<cssm_spm_load_fn>(sym("cssm_spm_load"));
  lib.free = reinterpret_cast<cssm_spm_free_fn>(sym("cssm_spm_free"));
  lib.piece_size = reinterpret_cast<cssm_spm_piece_size_fn>(sym("cssm_spm_piece_size"));
  lib.piece = reinterpret_cast<cssm_spm_piece_fn>(sym("cssm_spm_piece"));
  lib.encode = reinterpret_cast<cssm_spm_encode_fn>(sym("cssm_spm_encode"));
  lib.train = reinterpret_cast<cssm_spm_train_fn>(sym("cssm_spm_train"));
  lib.free_buffer = reinterpret_cast<cssm_spm_free_buffer_fn>(sym("cssm_spm_free_buffer"));
  return lib;  // the handle stays open for the life of the process
}

}  // namespace

const SpmLibrary& SpmLibrary::get() {
  static const SpmLibrary lib = load_library();
  return lib;
}

}  // namespace codessm::data
