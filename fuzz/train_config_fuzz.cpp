// A training config file on arbitrary bytes: load (parse + validate), then a write/read round trip.
#include "codessm/config/train_config.h"
#include "fuzz_target.h"
#include "fuzz_util.h"

CODESSM_FUZZ_TARGET(train_config) {
  using namespace codessm;
  namespace fs = std::filesystem;
  const auto& dir = fuzz::fresh_scratch();
  fuzz::write_bytes(dir / "train.json", {reinterpret_cast<const char*>(data), size});
  fuzz::expect_clean([&] {
    auto cfg = config::TrainConfig::load((dir / "train.json").string());
    auto again = config::TrainConfig::from_json(cfg.to_json(), "round trip");
    if (again.to_json() != cfg.to_json()) std::abort();
  });
  return 0;
}
