#include "codessm/train/train_state.h"

#include <fmt/format.h>

#include "codessm/core/error.h"
#include "codessm/core/io.h"

namespace codessm::train {

using nlohmann::json;

json StreamPosition::to_json() const {
  json j{{"epoch", epoch}, {"batch", batch}};
  if (stage > 0) j["stage"] = stage;  // absent in single-corpus runs (and in files written before stages existed)
  return j;
}

StreamPosition StreamPosition::from_json(const json& j) {
  return StreamPosition{j.at("epoch").get<uint64_t>(), j.at("batch").get<uint64_t>(), j.value("stage", uint64_t{0})};
}

json TrainState::to_json() const {
  return {{"format_version", kTrainStateFormatVersion},
          {"step", step},
          {"data", data.to_json()},
          {"skipped_steps", skipped_steps},
          {"tokens_seen", tokens_seen},
          {"last_lr", last_lr},
          {"best_step", best_step},
          {"best_value", best_value}};
}

TrainState TrainState::from_json(const json& j, const std::string& source) {
  try {
    const int v = j.at("format_version").get<int>();
    CODESSM_REQUIRE(v >= 1 && v <= kTrainStateFormatVersion, DataError,
                    "{}: format_version {} is newer than this codessm supports ({}); upgrade codessm", source, v,
                    kTrainStateFormatVersion);
    TrainState s;
    s.step = j.at("step").get<int64_t>();
    s.data = StreamPosition::from_json(j.at("data"));
    s.skipped_steps = j.value("skipped_steps", int64_t{0});
    s.tokens_seen = j.value("tokens_seen", uint64_t{0});
    s.last_lr = j.value("last_lr", 0.0);
    s.best_step = j.value("best_step", int64_t{-1});
    s.best_value = j.value("best_value", 0.0);
    return s;
  } catch (const json::exception& e) {
    throw DataError(fmt::format("{}: malformed train state ({}); the checkpoint is damaged", source, e.what()));
  }
}

namespace {

/// The global generators whose state a resumed run needs: CPU (dropout, init) and every visible CUDA device.
std::vector<std::pair<std::string, at::Generator>> generators() {
  std::vector<std::pair<std::string, at::Generator>> g{{"rng_cpu", at::globalContext().defaultGenerator(at::kCPU)}};
  if (torch::cuda::is_available())
    for (int64_t d = 0; d < static_cast<int64_t>(torch::cuda::device_count()); ++d)
      g.emplace_back(fmt::format("rng_cuda{}", d),
                     at::globalContext().defaultGenerator(c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(d))));
  return g;
}

}  // namespace

void save_optimizer_and_rng(const torch::optim::Optimizer& opt, const std::filesystem::path& file) {
  torch::serialize::OutputArchive archive, opt_archive;
  opt.save(opt_archive);
  archive.write("optimizer", opt_archive);
  for (auto& [name, gen] : generators()) {
    std::lock_guard<std::mutex> lock(gen.mutex());
    archive.write(name, gen.get_state());
  }
  // Serialised into memory first, then written by our own checked writer: LibTorch's zip writer cannot take a
  // failing sink (a short write inside its destructor aborts the process), so a full disk must fail here, in
  // AtomicFileWriter, as a DataError the caller can clean up after.
  std::string bytes;
  archive.save_to([&](const void* data, size_t n) {
    bytes.append(static_cast<const char*>(data), n);
    return n;
  });
  core::AtomicFileWriter out(file);
  out.write(bytes);
  out.commit();
}

void load_optimizer_and_rng(torch::optim::Optimizer& opt, const std::filesystem::path& file) {
  core::require_exists(file, "optimizer state", "the checkpoint is incomplete; resume from an earlier one");
  try {
    torch::serialize::InputArchive archive, opt_archive;
    archive.load_from(file.string());
    archive.read("optimizer", opt_archive);
    opt.load(opt_archive);
    for (auto& [name, gen] : generators()) {
      torch::Tensor state;
      if (!archive.try_read(name, state)) {
        // A CPU-saved run resumed on a GPU machine: the CUDA streams start fresh (logged, not fatal).
        continue;
      }
      std::lock_guard<std::mutex> lock(gen.mutex());
      gen.set_state(state);
    }
  } catch (const c10::Error& e) {
    throw DataError(fmt::format("{}: cannot read the optimizer state ({}); was it written for another model?",
                                file.string(), e.what_without_backtrace()));
  }
}

}  // namespace codessm::train
