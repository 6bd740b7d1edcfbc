// A checkpoint's config.json on arbitrary bytes: what model::load_config does (parse, read every field,
// validate), then a write/read round trip that must give the same config back.
#include <nlohmann/json.hpp>

#include "codessm/config/model_config.h"
#include "fuzz_target.h"
#include "fuzz_util.h"

CODESSM_FUZZ_TARGET(model_config) {
  using namespace codessm;
  namespace fs = std::filesystem;
  auto j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;  // load_config reports the parse error itself (a DataError)
  fuzz::expect_clean([&] {
    auto cfg = config::ModelConfig::from_json(j, "config.json");
    cfg.validate("config.json");
    auto again = config::ModelConfig::from_json(cfg.to_json(), "round trip");
    if (again.to_json() != cfg.to_json()) {
      std::fprintf(stderr, "config round trip differs:\n%s\n%s\n", cfg.to_json().dump().c_str(),
                   again.to_json().dump().c_str());
      std::abort();
    }
  });
  return 0;
}
