// Moving the GPU stages to the GPU machine and their results back (docs/study.md §Device runs).
// Out: REPO/<device.bundle>/ = data.tar.xz (tokenizer, shards, fine-tuning files; xz, because what travels to
// the GPU machine — working tree + carried folders — is capped at 64 MiB), jobs/<id>.json (one TrainConfig per
// job, data paths relative to the repository root) and plan.json (the jobs, their order and input hashes).
// Back: tools/gpu_study.sh writes one tar per job (split into parts when large) holding <id>/job.json and the
// job folder of train_jobs.cpp; `--import` unpacks them and completes each stage whose job came back ok for the
// same input hash.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>

#include "codessm/config/presets.h"
#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/core/logging.h"
#include "codessm/report/report.h"
#include "study_context.h"

namespace codessm::study {

using nlohmann::json;

inline constexpr const char* kPlanSchema = "codessm.study.plan";

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

void run_shell(const std::string& cmd, const std::string& what) {
  const std::string full = "(" + cmd + ") 2>&1";
  FILE* p = popen(full.c_str(), "r");
  CODESSM_REQUIRE(p != nullptr, DataError, "{}: cannot start /bin/sh", what);
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int rc = pclose(p);
  if (rc != 0) {
    if (out.size() > 2000) out = "..." + out.substr(out.size() - 2000);
    throw DataError(fmt::format("{} failed (exit status {}): {}\ncommand: {}", what, rc, out, cmd));
  }
}

namespace {

std::string job_id(const std::string& key) {
  std::string id = key;
  std::replace(id.begin(), id.end(), '/', '-');
  return id;
}

uint64_t tree_bytes(const fs::path& p) {
  uint64_t n = 0;
  if (fs::is_regular_file(p)) return fs::file_size(p);
  if (fs::is_directory(p))
    for (const auto& e : fs::recursive_directory_iterator(p))
      if (e.is_regular_file()) n += e.file_size();
  return n;
}

}  // namespace

std::string plan_hash(const std::map<std::string, std::string>& input_hashes, const std::vector<Stage>& pending) {
  json j = json::object();
  for (const auto& s : pending) j[s.key] = input_hashes.at(s.key);
  return hash_json(j);
}

std::string export_bundle(StudyContext& ctx, const std::vector<Stage>& pending,
                          const std::map<std::string, std::string>& input_hashes) {
  const fs::path bundle = ctx.opts.repo_root / ctx.cfg.device.bundle;
  const std::string ph = plan_hash(input_hashes, pending);
  if (fs::exists(bundle / "plan.json") && fs::exists(bundle / "data.tar.xz")) {
    const json old = json::parse(core::read_file(bundle / "plan.json"));
    if (old.value("plan_hash", "") == ph) {
      spdlog::info("study: the bundle in {} is current (plan {})", bundle.string(), ph.substr(0, 12));
      return ph;
    }
  }
  CODESSM_REQUIRE(core::remove_tree(bundle), DataError, "cannot clear the old bundle '{}'", bundle.string());
  core::ensure_dir(bundle / "jobs");

  // ---- data: the tokenizer, the shards and the fine-tuning files, as one xz tarball ----
  const fs::path staging = ctx.out / "device" / "staging";
  core::remove_tree(staging);
  core::ensure_dir(staging / "data" / "shards");
  auto link = [&](const fs::path& target, const fs::path& name) {
    fs::create_directory_symlink(fs::absolute(target), staging / "data" / name);
  };
  link(ctx.dir("tokenizer") / "tokenizer", "tokenizer");
  for (const char* s : {"train", "valid", "heldout"}) link(ctx.dir("shards") / s, fs::path("shards") / s);
  if (ctx.has("types-data")) link(ctx.dir("types-data"), "types");
  if (ctx.has("retrieval-data")) link(ctx.dir("retrieval-data"), "retrieval");
  spdlog::info("study: compressing the bundle's data (xz -9; a few minutes for a large corpus)");
  const fs::path tarball = bundle / "data.tar.xz";
  run_shell(fmt::format("tar -C {} -chf - --exclude=stage.json --exclude=.attempt --exclude=manifest.json.tmp* data | "
                        "xz -9 -T2 > {}",
                        shell_quote(staging.string()), shell_quote(tarball.string())),
            "packing the bundle data");
  core::remove_tree(staging);

  // ---- jobs and plan ----
  const DataPaths paths = bundle_paths(ctx.cfg);
  json jobs = json::array();
  for (const auto& s : pending) {
    const TrainJob job = make_job(ctx.cfg, s.key, paths);
    const std::string id = job_id(s.key);
    core::write_file_atomic(bundle / "jobs" / (id + ".json"), job.train.dump(2) + "\n");
    const auto& spec = ctx.cfg.model(job.model);
    // A job whose starting stage finished in an earlier device call starts from its returned checkpoint (when a
    // full one came back), carried in the bundle; otherwise the runner skips it and says why.
    json start;
    const bool dep_pending = std::any_of(pending.begin(), pending.end(), [&](const Stage& p) { return p.key == job.model_from; });
    if (!job.model_from.empty() && !dep_pending && ctx.has(job.model_from) &&
        ctx.cfg.model(job.model).returns == "full") {
      const fs::path dst = bundle / "start" / job_id(job.model_from);
      if (!fs::exists(dst)) fs::copy(ctx.dir(job.model_from) / "final", dst, fs::copy_options::recursive);
      start = (fs::path(ctx.cfg.device.bundle) / "start" / job_id(job.model_from)).string();
    }
    jobs.push_back({{"id", id},
                    {"start", start},
                    {"key", s.key},
                    {"kind", job.kind},
                    {"model", job.model},
                    {"ssm", config::make_preset(spec.preset).arch == config::Arch::kBiGS},
                    {"input_hash", input_hashes.at(s.key)},
                    {"config", (fs::path(ctx.cfg.device.bundle) / "jobs" / (id + ".json")).string()},
                    {"model_from", job.model_from.empty() ? json() : json(job_id(job.model_from))},
                    {"returns", job.returns},
                    {"max_seconds", job.max_seconds},
                    {"lengths", job.lengths},
                    {"mlm_tokens", job.mlm_tokens},
                    {"heldout", job.heldout}});
  }
  json plan{{"schema", kPlanSchema},
            {"schema_version", 1},
            {"plan_hash", ph},
            {"study", ctx.cfg.name},
            {"codessm_version", report::codessm_version()},
            {"bundle", ctx.cfg.device.bundle},
            {"data", {{"file", "data.tar.xz"}, {"bytes", fs::file_size(tarball)}, {"sha256", hash_tree({tarball}, bundle)}}},
            {"paths",
             {{"tokenizer", paths.tokenizer}, {"valid_shards", paths.valid_shards}}},
            {"jobs", jobs}};
  core::write_file_atomic(bundle / "plan.json", plan.dump(2) + "\n");
  const double mib = static_cast<double>(tree_bytes(bundle)) / (1 << 20);
  spdlog::info("study: bundle {} written: {:.1f} MiB, {} jobs, plan {}", bundle.string(), mib, jobs.size(), ph.substr(0, 12));
  if (mib > 48)
    spdlog::warn("study: the bundle is {:.1f} MiB; with the working tree it must stay under 64 MiB to travel to the GPU "
                 "machine: lower text.train_bytes_per_language",
                 mib);
  return ph;
}

std::vector<std::string> import_results(StudyContext& ctx, const std::vector<Stage>& pending,
                                        const std::map<std::string, std::string>& input_hashes,
                                        const std::map<std::string, json>& inputs) {
  const fs::path incoming = ctx.out / "device" / "incoming", inbox = ctx.out / "device" / "returned";
  core::ensure_dir(incoming);
  core::ensure_dir(inbox);
  // Tarballs: NAME.tar, or NAME.tar.part-NN pieces joined in name order.
  std::map<std::string, std::vector<fs::path>> groups;
  for (const auto& p : ctx.opts.imports) {
    core::require_exists(p, "--import folder", "give the folder where the GPU run's returned files were put");
    std::vector<fs::path> files;
    if (fs::is_directory(p)) {
      for (const auto& e : fs::directory_iterator(p))
        if (e.is_regular_file()) files.push_back(e.path());
    } else {
      files.push_back(p);
    }
    for (const auto& f : files) {
      const std::string n = f.filename().string();
      const auto part = n.find(".tar.part-");
      if (part != std::string::npos) groups[n.substr(0, part + 4)].push_back(f);
      else if (n.size() > 4 && n.compare(n.size() - 4, 4, ".tar") == 0) groups[n].push_back(f);
    }
  }
  CODESSM_REQUIRE(!groups.empty(), DataError, "--import: no *.tar or *.tar.part-* files in {}",
                  json(std::vector<std::string>(ctx.opts.imports.begin(), ctx.opts.imports.end())).dump());
  for (auto& [name, parts] : groups) {
    std::sort(parts.begin(), parts.end());
    std::string cat;
    for (const auto& p : parts) cat += " " + shell_quote(p.string());
    run_shell(fmt::format("cat{} > {} && tar -xf {} -C {}", cat, shell_quote((incoming / name).string()),
                          shell_quote((incoming / name).string()), shell_quote(inbox.string())),
              "unpacking " + name);
    core::remove_tree(incoming / name);
  }

  std::vector<std::string> imported;
  for (const auto& s : pending) {
    const std::string id = job_id(s.key);
    const fs::path src = inbox / id, jf = src / "job.json";
    if (!fs::exists(jf)) {
      spdlog::warn("study: {} did not come back from the GPU machine", s.key);
      continue;
    }
    const json j = json::parse(core::read_file(jf));
    if (j.value("status", "") != "ok") {
      spdlog::warn("study: {} failed on the GPU machine: {}", s.key, j.value("error", "(no message)"));
      continue;
    }
    if (j.value("input_hash", "") != input_hashes.at(s.key)) {
      spdlog::warn("study: the returned {} was run for other inputs (the config or data changed since the export); "
                   "export again",
                   s.key);
      continue;
    }
    const fs::path dir = ctx.dir(s.key);
    ctx.store.reset(s.key);
    core::ensure_dir(dir);
    for (const auto& e : fs::directory_iterator(src))
      if (e.path().filename() != "job.json") fs::rename(e.path(), dir / e.path().filename());
    fs::rename(jf, dir / "device_job.json");
    json info = summarize_job_folder(make_job(ctx.cfg, s.key, bundle_paths(ctx.cfg)), dir);
    info["device"] = {{"machine", j.value("machine", "")}, {"seconds", j.value("seconds", 0.0)}};
    ctx.done[s.key] = ctx.store.finish(s.key, input_hashes.at(s.key), inputs.at(s.key), info, j.value("seconds", 0.0));
    imported.push_back(s.key);
    spdlog::info("study: imported {} from the GPU machine", s.key);
  }
  return imported;
}

}  // namespace codessm::study
