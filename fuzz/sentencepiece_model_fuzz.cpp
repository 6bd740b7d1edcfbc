// A SentencePiece model (serialized protobuf) on arbitrary bytes (part 1); part 2 is a text to encode
// (offsets in order; an arbitrary model may normalise or lack byte pieces, so no exact round trip here:
// sentencepiece_text_fuzz checks that with a codessm-trained model).
#include "codessm/data/sentencepiece_tokenizer.h"
#include "fuzz_target.h"
#include "fuzz_util.h"
#include "tokenizer_roundtrip.h"

CODESSM_FUZZ_TARGET(sentencepiece_model) {
  using namespace codessm;
  namespace fs = std::filesystem;
  const auto parts = fuzz::split_parts(data, size, 2);
  fuzz::expect_clean([&] {
    data::SentencePieceTokenizer tok(std::string(parts[0]), data::AddedTokens{});
    fuzz::check_roundtrip(tok, parts[1], /*exact=*/false);
  });
  return 0;
}
