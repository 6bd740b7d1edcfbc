// A token shard on arbitrary bytes: open (header, document index) and read every document; the same bytes
// also as a folder with a manifest.json taken from part 2.
#include "codessm/data/shard_format.h"
#include "fuzz_target.h"
#include "fuzz_util.h"

CODESSM_FUZZ_TARGET(shard) {
  using namespace codessm;
  namespace fs = std::filesystem;
  const auto parts = fuzz::split_parts(data, size, 2);
  const auto& dir = fuzz::fresh_scratch();
  fs::create_directories(dir / "shards");
  fuzz::write_bytes(dir / "shards" / "shard-00000.bin", parts[0]);
  if (!parts[1].empty()) fuzz::write_bytes(dir / "shards" / "manifest.json", parts[1]);
  else fs::remove(dir / "shards" / "manifest.json");
  fuzz::expect_clean([&] {
    data::ShardFile f(dir / "shards" / "shard-00000.bin");
    std::vector<int32_t> ids;
    for (uint64_t d = 0; d < f.num_docs(); ++d) f.read_document(d, ids);
  });
  fuzz::expect_clean([&] {
    data::ShardDataset ds(dir / "shards");
    std::vector<int32_t> ids;
    for (int i = 0; i < 1000 && ds.next_document(ids); ++i) {
    }
  });
  return 0;
}
