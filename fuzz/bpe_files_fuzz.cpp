// A byte-level BPE folder on arbitrary bytes: part 1 vocab.json, part 2 merges.txt, part 3
// added_tokens.json, part 4 a text that must round-trip through the loaded tokenizer.
#include "codessm/data/byte_bpe_tokenizer.h"
#include "fuzz_target.h"
#include "fuzz_util.h"
#include "tokenizer_roundtrip.h"

CODESSM_FUZZ_TARGET(bpe_files) {
  using namespace codessm;
  namespace fs = std::filesystem;
  const auto parts = fuzz::split_parts(data, size, 4);
  const auto& dir = fuzz::fresh_scratch();
  fuzz::write_bytes(dir / "vocab.json", parts[0]);
  fuzz::write_bytes(dir / "merges.txt", parts[1]);
  if (!parts[2].empty()) fuzz::write_bytes(dir / "added_tokens.json", parts[2]);
  else fs::remove(dir / "added_tokens.json");
  fuzz::expect_clean([&] {
    auto tok = data::load_tokenizer(dir);
    fuzz::check_roundtrip(*tok, parts[3]);
  });
  return 0;
}
