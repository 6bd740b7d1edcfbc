#include "codessm/study/stage_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/corpus/sha256.h"

namespace codessm::study {

using nlohmann::json;

std::string hash_json(const json& j) { return corpus::sha256_hex(j.dump()); }

namespace {

std::string file_hash(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  CODESSM_REQUIRE(in, DataError, "cannot read '{}' to hash it", p.string());
  corpus::Sha256 h;
  std::string buf(1 << 20, '\0');
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    h.update(std::string_view(buf.data(), static_cast<size_t>(in.gcount())));
  }
  return h.hex();
}

bool hidden(const fs::path& p) { return !p.filename().empty() && p.filename().string()[0] == '.'; }

void collect(const fs::path& p, std::vector<fs::path>& out) {
  if (hidden(p)) return;
  if (fs::is_directory(p)) {
    for (const auto& e : fs::directory_iterator(p)) collect(e.path(), out);
  } else if (fs::is_regular_file(p)) {
    out.push_back(p);
  }
}

std::string utc_now() {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

std::string hash_tree(const std::vector<fs::path>& paths, const fs::path& base) {
  std::vector<fs::path> files;
  for (const auto& p : paths) {
    core::require_exists(p, "stage output", "the stage did not write it; rerun the stage");
    collect(p, files);
  }
  std::vector<std::pair<std::string, fs::path>> rel;
  for (const auto& f : files) rel.emplace_back(fs::relative(f, base).generic_string(), f);
  std::sort(rel.begin(), rel.end());
  corpus::Sha256 h;
  for (const auto& [r, f] : rel) h.update(fmt::format("{}\t{}\t{}\n", r, fs::file_size(f), file_hash(f)));
  return h.hex();
}

json StageRecord::to_json() const {
  return {{"key", key},       {"input_hash", input_hash}, {"output_hash", output_hash}, {"inputs", inputs},
          {"info", info},     {"seconds", seconds},       {"completed_utc", completed_utc}};
}

StageRecord StageRecord::from_json(const json& j) {
  StageRecord r;
  r.key = j.at("key");
  r.input_hash = j.at("input_hash");
  r.output_hash = j.at("output_hash");
  r.inputs = j.value("inputs", json::object());
  r.info = j.value("info", json::object());
  r.seconds = j.value("seconds", 0.0);
  r.completed_utc = j.value("completed_utc", "");
  return r;
}

StageStore::StageStore(fs::path root) : root_(std::move(root)) {}

fs::path StageStore::dir(const std::string& key) const { return root_ / key; }

std::optional<StageRecord> StageStore::record(const std::string& key) const {
  const fs::path f = dir(key) / kStageRecordFile;
  if (!fs::exists(f)) return std::nullopt;
  try {
    return StageRecord::from_json(json::parse(core::read_file(f)));
  } catch (const json::exception&) {
    return std::nullopt;  // unreadable record: the stage is redone
  }
}

std::optional<StageRecord> StageStore::complete(const std::string& key, const std::string& input_hash) const {
  auto r = record(key);
  if (!r || r->input_hash != input_hash) return std::nullopt;
  return r;
}

StageRecord StageStore::finish(const std::string& key, const std::string& input_hash, const json& inputs,
                               const json& info, double seconds, const std::vector<fs::path>& outputs) {
  const fs::path d = dir(key);
  std::vector<fs::path> paths;
  if (outputs.empty()) {
    for (const auto& e : fs::directory_iterator(d))
      if (e.path().filename() != kStageRecordFile) paths.push_back(e.path());
  } else {
    for (const auto& o : outputs) paths.push_back(d / o);
  }
  StageRecord r;
  r.key = key;
  r.input_hash = input_hash;
  r.output_hash = hash_tree(paths, d);
  r.inputs = inputs;
  r.info = info;
  r.seconds = seconds;
  r.completed_utc = utc_now();
  core::write_file_atomic(d / kStageRecordFile, r.to_json().dump(2) + "\n");
  return r;
}

void StageStore::reset(const std::string& key) const {
  const fs::path d = dir(key);
  CODESSM_REQUIRE(core::remove_tree(d), DataError, "cannot remove the stale stage folder '{}'", d.string());
}

}  // namespace codessm::study
