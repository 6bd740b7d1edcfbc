// A sharded checkpoint on arbitrary bytes: part 1 is model.safetensors.index.json, parts 2 and 3 are the
// shards a.safetensors and b.safetensors (index names outside the folder must be refused, not followed).
#include "codessm/tensor/safetensors.h"
#include "fuzz_target.h"
#include "fuzz_util.h"

CODESSM_FUZZ_TARGET(safetensors_index) {
  using namespace codessm;
  namespace fs = std::filesystem;
  const auto parts = fuzz::split_parts(data, size, 3);
  const auto& dir = fuzz::fresh_scratch();
  fs::create_directories(dir / "ckpt");
  fuzz::write_bytes(dir / "ckpt" / "model.safetensors.index.json", parts[0]);
  fuzz::write_bytes(dir / "ckpt" / "a.safetensors", parts[1]);
  fuzz::write_bytes(dir / "ckpt" / "b.safetensors", parts[2]);
  fuzz::write_bytes(dir / "outside.safetensors", parts[1]);
  fuzz::expect_clean([&] {
    tensor::SafetensorsStore s(dir / "ckpt");
    for (const auto& n : s.names()) s.load(n);
  });
  return 0;
}
