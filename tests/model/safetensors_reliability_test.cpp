// Hostile safetensors files and shard indexes (docs/reliability.md): names outside the checkpoint folder, a
// folder holding both layouts, shapes whose byte size overflows, non-string index entries.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/tensor/safetensors.h"
#include "test_utils.h"

using namespace codessm;
namespace fs = std::filesystem;

namespace {

/// A raw safetensors file: the 8-byte header length, `header`, then `data_bytes` zero bytes.
void write_raw(const fs::path& p, const std::string& header, size_t data_bytes) {
  std::string s(8, '\0');
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  s += header;
  s.append(data_bytes, '\0');
  core::write_file_atomic(p, s);
}

}  // namespace

TEST(SafetensorsReliability, IndexNamesOutsideTheFolderAreRefused) {
  const auto root = test::temp_dir("st_escape");
  fs::create_directories(root / "ckpt");
  tensor::save_safetensors(root / "secret.safetensors", {{"w", torch::ones({2})}});
  for (std::string name : {"../secret.safetensors", "/etc/passwd", "sub/x.safetensors", ".."}) {
    nlohmann::json index = {{"weight_map", {{"w", name}}}};
    core::write_file_atomic(root / "ckpt" / "model.safetensors.index.json", index.dump());
    EXPECT_THROW_WITH(tensor::SafetensorsStore(root / "ckpt"), DataError, "not a file name in the checkpoint folder");
  }
  nlohmann::json index = {{"weight_map", {{"w", 7}}}};
  core::write_file_atomic(root / "ckpt" / "model.safetensors.index.json", index.dump());
  EXPECT_THROW_WITH(tensor::SafetensorsStore(root / "ckpt"), DataError, "model.safetensors.index.json': weight_map entry 'w' is 7");
}

TEST(SafetensorsReliability, SingleFileWinsOverAnIndexAsInTransformers) {
  const auto dir = test::temp_dir("st_both");
  tensor::save_safetensors_sharded(dir, "model", {{"a", torch::ones({4096})}, {"b", torch::ones({4096})}}, 20000);
  ASSERT_TRUE(fs::exists(dir / "model.safetensors.index.json"));
  // A newer single-file save next to the stale index (as a hand copy leaves it).
  tensor::save_safetensors(dir / "model.safetensors", {{"a", torch::full({4096}, 2.0)}, {"b", torch::zeros({4096})}});
  ASSERT_TRUE(fs::exists(dir / "model.safetensors.index.json"));
  tensor::SafetensorsStore s(dir);
  EXPECT_EQ(s.describe(), (dir / "model.safetensors").string());
  EXPECT_EQ(s.load("a")[0].item<float>(), 2.0f);
}

TEST(SafetensorsReliability, OverflowingShapesAndTooManyDimsAreRefused) {
  const auto dir = test::temp_dir("st_overflow");
  // 2^62 * 2^2 * 4 bytes wraps around to 0 in 64 bits, which would match offsets [0, 0].
  write_raw(dir / "a.safetensors", R"({"t":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,0]}})", 0);
  EXPECT_THROW_WITH(tensor::SafetensorsFile(dir / "a.safetensors"), DataError, "impossibly large shape");
  std::string dims = "[";
  for (int i = 0; i < 100; ++i) dims += i ? ",1" : "1";
  dims += "]";
  write_raw(dir / "b.safetensors", R"({"t":{"dtype":"F32","shape":)" + dims + R"(,"data_offsets":[0,4]}})", 4);
  EXPECT_THROW_WITH(tensor::SafetensorsFile(dir / "b.safetensors"), DataError, "100 dimensions");
}
