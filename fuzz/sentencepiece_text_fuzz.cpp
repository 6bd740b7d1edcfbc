// Arbitrary bytes (invalid UTF-8, NUL, sentinel look-alikes) through a codessm-trained SentencePiece
// tokenizer (tests/data/tokenizers/spm_tiny): decode(encode(x)) == x byte for byte, as docs/data.md promises.
#include "codessm/data/tokenizer.h"
#include "fuzz_target.h"
#include "fuzz_util.h"
#include "tokenizer_roundtrip.h"

CODESSM_FUZZ_TARGET(sentencepiece_text) {
  using namespace codessm;
  namespace fs = std::filesystem;
  static const auto tok = data::load_tokenizer(CODESSM_SOURCE_DIR "/tests/data/tokenizers/spm_tiny");
  fuzz::check_roundtrip(*tok, {reinterpret_cast<const char*>(data), size});
  return 0;
}
