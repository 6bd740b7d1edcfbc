// The safetensors reader on arbitrary bytes: open, list, load every tensor.
#include "codessm/tensor/safetensors.h"
#include "fuzz_target.h"
#include "fuzz_util.h"

CODESSM_FUZZ_TARGET(safetensors) {
  using namespace codessm;
  namespace fs = std::filesystem;
  const auto file = fuzz::fresh_scratch() / "model.safetensors";
  fuzz::write_bytes(file, {reinterpret_cast<const char*>(data), size});
  fuzz::expect_clean([&] {
    tensor::SafetensorsFile f(file);
    for (const auto& n : f.names()) f.load(n);
  });
  return 0;
}
