// A codessm tokenizer folder on arbitrary bytes: part 1 codessm_tokenizer.json, then vocab.json, merges.txt
// and spm.model (whichever the kind names), part 5 a text that must round-trip.
#include "codessm/data/tokenizer.h"
#include "fuzz_target.h"
#include "fuzz_util.h"
#include "tokenizer_roundtrip.h"

CODESSM_FUZZ_TARGET(tokenizer_folder) {
  using namespace codessm;
  namespace fs = std::filesystem;
  const auto parts = fuzz::split_parts(data, size, 5);
  const auto& dir = fuzz::fresh_scratch();
  fuzz::write_bytes(dir / "codessm_tokenizer.json", parts[0]);
  fuzz::write_bytes(dir / "vocab.json", parts[1]);
  fuzz::write_bytes(dir / "merges.txt", parts[2]);
  fuzz::write_bytes(dir / "spm.model", parts[3]);
  fuzz::expect_clean([&] {
    auto tok = data::load_tokenizer(dir);
    fuzz::check_roundtrip(*tok, parts[4]);
  });
  return 0;
}
