// codessm_checkpoint_format_version is read, not only written: a newer checkpoint layout is refused by name.
#include <gtest/gtest.h>

#include "codessm/config/presets.h"
#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/model/checkpoint.h"
#include "test_utils.h"

namespace codessm::model {
namespace {

TEST(CheckpointVersion, ANewerLayoutIsRefusedAndTheCurrentOneLoads) {
  const auto dir = test::temp_dir("ckpt_version") / "m";
  CodeModel m(config::make_preset("codessm-tiny"));
  save_pretrained(m, dir);
  auto j = nlohmann::json::parse(core::read_file(dir / "config.json"));
  EXPECT_EQ(j["codessm_checkpoint_format_version"], kCheckpointFormatVersion);
  EXPECT_NO_THROW((void)load_pretrained(dir));
  j["codessm_checkpoint_format_version"] = kCheckpointFormatVersion + 1;
  core::write_file_atomic(dir / "config.json", j.dump());
  EXPECT_THROW_WITH((void)load_pretrained(dir), DataError,
                    fmt::format("codessm_checkpoint_format_version {} is not supported", kCheckpointFormatVersion + 1));
}

}  // namespace
}  // namespace codessm::model
