// A Hugging Face tokenizer.json on arbitrary bytes (part 1); part 2 is a text that must round-trip.
#include "codessm/data/byte_bpe_tokenizer.h"
#include "fuzz_target.h"
#include "fuzz_util.h"
#include "tokenizer_roundtrip.h"

CODESSM_FUZZ_TARGET(tokenizer_json) {
  using namespace codessm;
  namespace fs = std::filesystem;
  const auto parts = fuzz::split_parts(data, size, 2);
  const auto& dir = fuzz::fresh_scratch();
  fuzz::write_bytes(dir / "tokenizer.json", parts[0]);
  fuzz::expect_clean([&] {
    auto tok = data::load_tokenizer(dir);
    fuzz::check_roundtrip(*tok, parts[1]);
  });
  return 0;
}
