#include <fmt/ranges.h>  // fmt::join (moved out of format.h in fmt 11)
#include "codessm/model/checkpoint.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/core/logging.h"
#include "codessm/tensor/safetensors.h"

namespace codessm::model {

using nlohmann::json;

namespace {

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }
bool ends_with(const std::string& s, const std::string& p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

std::string shape_str(c10::IntArrayRef s) { return fmt::format("[{}]", fmt::join(s.vec(), ", ")); }

/// Tensors a foreign checkpoint may carry that this model does not need, with why they are safe to drop.
bool is_known_ignorable(const std::string& name, const config::ModelConfig& cfg) {
  if (ends_with(name, "position_ids")) return true;                    // persistent buffer of HF embeddings
  if (ends_with(name, "embeddings.position_embeddings.weight") && cfg.position_embedding_type != "absolute")
    return true;  // BiGS always builds the table, unused without absolute positions [pt:169]
  if (ends_with(name, "encoder.embed_positions.weight")) return true;  // RoFormer's frozen sinusoid table
  if (name == "cls.predictions.decoder.bias") return true;             // alias of cls.predictions.bias
  if (name == "cls.predictions.decoder.weight" && cfg.tie_word_embeddings) return true;  // tied (checked equal)
  return false;
}

/// The stored word-embedding matrix of a checkpoint (with or without the backbone prefix), if any.
std::optional<std::string> word_embeddings_name(const tensor::SafetensorsStore& store) {
  for (const auto& n : store.names())
    if (ends_with(n, "embeddings.word_embeddings.weight")) return n;
  return std::nullopt;
}

/// True when the checkpoint stores an MLM decoder that is not the word-embedding matrix (BiGS's PyTorch code
/// saves one under current transformers, where its decoder is untied). `diff` gets the largest difference.
bool decoder_differs(const tensor::SafetensorsStore& store, double* diff) {
  const std::string dec = "cls.predictions.decoder.weight";
  if (!store.contains(dec)) return false;
  const auto emb = word_embeddings_name(store);
  if (!emb) return true;
  auto d = store.load(dec).to(torch::kFloat64);
  auto e = store.load(*emb).to(torch::kFloat64);
  if (d.sizes() != e.sizes()) {
    if (diff) *diff = std::numeric_limits<double>::infinity();
    return true;
  }
  const double m = (d - e).abs().max().item<double>();
  if (diff) *diff = m;
  return !(m == 0.0);  // NaN differences count as different
}

/// Throws NumericalError naming the tensor when it holds NaN or Inf: such a checkpoint would give NaN logits
/// and accuracies computed from NaN scores, silently.
void require_finite(const torch::Tensor& t, const std::string& name, const std::string& where) {
  if (!t.is_floating_point() || torch::isfinite(t).all().item<bool>()) return;
  const int64_t nan = torch::isnan(t).sum().item<int64_t>();
  const int64_t inf = torch::isinf(t).sum().item<int64_t>();
  throw NumericalError(fmt::format("checkpoint '{}': tensor '{}' holds {} NaN and {} infinite values (of {}); the "
                                   "checkpoint is damaged or was saved from a diverged run: use an earlier checkpoint",
                                   where, name, nan, inf, t.numel()));
}

}  // namespace

std::vector<std::pair<std::string, torch::Tensor>> export_state(CodeModel& model) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (auto& p : model->named_parameters(/*recurse=*/true)) out.emplace_back(p.key(), p.value());
  return out;
}

config::ModelConfig load_config(const fs::path& dir) {
  fs::path p = fs::is_directory(dir) ? dir / "config.json" : dir;
  const std::string name = p.filename().string();
  if (ends_with(name, ".safetensors") || ends_with(name, ".safetensors.index.json") || ends_with(name, ".bin")) {
    throw UsageError(fmt::format("'{}' is a weights file, but a checkpoint folder is expected here: pass the folder "
                                 "that holds it with its config.json ('{}')",
                                 dir.string(), p.parent_path().empty() ? "." : p.parent_path().string()));
  }
  core::require_exists(p, "config file", "a checkpoint folder holds config.json next to model.safetensors");
  json j;
  try {
    j = json::parse(core::read_file(p));
  } catch (const json::exception& e) {
    throw DataError(fmt::format("'{}' is not valid JSON: {}", p.string(), e.what()));
  }
  // The checkpoint layout version save_pretrained writes: a newer one may hold tensors this build misreads.
  if (j.is_object() && j.contains("codessm_checkpoint_format_version")) {
    const auto& v = j["codessm_checkpoint_format_version"];
    CODESSM_REQUIRE(v.is_number_integer() && v.get<int>() >= 1 && v.get<int>() <= kCheckpointFormatVersion, DataError,
                    "{}: codessm_checkpoint_format_version {} is not supported (this codessm reads 1..{}); upgrade "
                    "codessm",
                    p.string(), v.dump(), kCheckpointFormatVersion);
  }
  return config::ModelConfig::from_json(j, p.string());
}

namespace {

/// True when `dir` holds a checkpoint this code wrote or can read (config.json next to the weights): the only
/// kind of existing folder save_pretrained may replace.
bool is_checkpoint_folder(const fs::path& dir) {
  return fs::exists(dir / "config.json") &&
         (fs::exists(dir / "model.safetensors") || fs::exists(dir / "model.safetensors.index.json"));
}

/// The folder a user means by `dir`: "out/", "." and "a/../b" name a folder by its last real component.
fs::path normalise_target(const fs::path& dir) {
  fs::path d = fs::absolute(dir).lexically_normal();
  if (d.filename().empty() && d.has_parent_path() && d != d.root_path()) d = d.parent_path();  // "out/" -> "out"
  std::error_code ec;
  if (fs::is_symlink(d, ec)) d = fs::canonical(d, ec);  // replace what the link points at, not the link
  return d;
}

/// Removes the staging folder unless dismissed (an exception while writing must not leave it behind).
struct TempFolderGuard {
  fs::path path;
  bool armed = true;
  ~TempFolderGuard() {
    if (armed) core::remove_tree(path);
  }
};

}  // namespace

void save_pretrained(CodeModel& model, const fs::path& dir_arg, const SaveOptions& opts) {
  if (opts.dtype != torch::kFloat32 && opts.dtype != torch::kBFloat16)
    throw UsageError("checkpoint storage dtype must be fp32 or bf16");
  CODESSM_REQUIRE(!dir_arg.empty(), UsageError, "checkpoint folder: an empty path was given");
  const fs::path dir = normalise_target(dir_arg);
  // Never replace what is not a checkpoint: a user's folder or file given as --out by mistake must survive.
  std::error_code ec;
  const auto st = fs::status(dir, ec);
  bool in_place = false;
  if (fs::exists(st)) {
    if (!fs::is_directory(st)) {
      throw UsageError(fmt::format("'{}' exists and is not a folder: a checkpoint is a folder; choose another path "
                                   "(nothing was written)", dir_arg.string()));
    }
    const bool empty = fs::is_empty(dir, ec);
    if (!empty && !is_checkpoint_folder(dir)) {
      throw UsageError(fmt::format("'{}' is a folder that holds files but no checkpoint (config.json + "
                                   "model.safetensors): choose a new or empty folder; nothing was written or deleted",
                                   dir_arg.string()));
    }
    // The current folder (`--out .`) or one above it cannot be swapped out from under the shell that runs us:
    // an empty one is filled in place (each file atomic, config.json last).
    const fs::path cwd = fs::current_path(ec);
    const auto rel = cwd.lexically_relative(dir);
    const bool holds_cwd = !rel.empty() && *rel.begin() != "..";
    if (holds_cwd) {
      CODESSM_REQUIRE(empty, UsageError,
                      "'{}' is the current folder (or holds it) and already has a checkpoint: replacing it would pull "
                      "the folder from under your shell; run from elsewhere or choose another --out",
                      dir_arg.string());
      in_place = true;
    }
  }
  auto state = export_state(model);
  for (auto& [n, t] : state)
    if (t.is_floating_point()) t = t.detach().to(torch::kCPU, opts.dtype);
  auto cfgj = model->config().to_json();
  cfgj["codessm_checkpoint_format_version"] = kCheckpointFormatVersion;
  cfgj["torch_dtype"] = opts.dtype == torch::kBFloat16 ? "bfloat16" : "float32";
  const std::map<std::string, std::string> meta = {
      {"format", "pt"}, {"codessm_checkpoint_format_version", std::to_string(kCheckpointFormatVersion)}};
  if (in_place) {
    tensor::save_safetensors_sharded(dir, "model", state, opts.max_shard_bytes, meta);
    core::write_file_atomic(dir / "config.json", cfgj.dump(2) + "\n");  // last: readers start from config.json
    return;
  }
  // Write a sibling temp folder and swap it in, so `dir` is always either the old or the new checkpoint.
  const fs::path parent = dir.parent_path();
  core::ensure_dir(parent);
  const fs::path tmp = parent / fmt::format(".{}.tmp-{}", dir.filename().string(), ::getpid());
  core::remove_tree(tmp);
  TempFolderGuard guard{tmp};
  core::ensure_dir(tmp);
  core::write_file_atomic(tmp / "config.json", cfgj.dump(2) + "\n");
  tensor::save_safetensors_sharded(tmp, "model", state, opts.max_shard_bytes, meta);
  if (fs::exists(dir)) {
    // One atomic exchange (Linux renameat2): a kill at any moment leaves `dir` the old or the new checkpoint,
    // never absent (two renames would leave a gap in which a best/ folder could be lost for good).
    if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, dir.c_str(), RENAME_EXCHANGE) == 0) {
      core::remove_tree(tmp);  // now the old checkpoint
      guard.armed = false;
      return;
    }
    // A file system without RENAME_EXCHANGE: the old folder is moved aside first.
    const fs::path old = parent / fmt::format(".{}.old-{}", dir.filename().string(), ::getpid());
    fs::rename(dir, old);
    fs::rename(tmp, dir);
    guard.armed = false;
    core::remove_tree(old);
    return;
  }
  fs::rename(tmp, dir);
  guard.armed = false;
}

LoadReport load_weights(CodeModel& model, const fs::path& weights, bool strict_head) {
  tensor::SafetensorsStore store(weights);
  const auto& cfg = model->config();
  const std::string base = cfg.base_prefix() + ".";
  LoadReport rep;
  auto params = model->named_parameters(true);
  std::set<std::string> expected;
  for (auto& p : params) expected.insert(p.key());

  // HF's prefix logic: a checkpoint of the bare backbone (BiGSModel) has no "bigs." prefix.
  bool bare = true;
  for (auto& n : store.names())
    if (starts_with(n, base)) bare = false;
  auto model_name = [&](const std::string& n) {
    if (bare && !starts_with(n, "cls.") && !starts_with(n, "classifier.")) return base + n;
    return n;
  };

  std::set<std::string> found;
  torch::NoGradGuard g;
  for (auto& raw : store.names()) {
    const std::string name = model_name(raw);
    auto it = params.find(name);
    if (it == nullptr) {
      if (raw == "cls.predictions.decoder.weight" && cfg.tie_word_embeddings) {
        double diff = 0;
        if (decoder_differs(store, &diff)) {
          throw DataError(fmt::format(
              "checkpoint '{}': tensor '{}' differs from the word embeddings (max |difference| {:.3g}) but this model "
              "ties its decoder to them, so the stored decoder would be dropped; load it untied (set "
              "tie_word_embeddings to false; load_pretrained does this by itself)",
              store.describe(), raw, diff));
        }
      }
      if (is_known_ignorable(name, cfg)) {
        rep.ignored_known.push_back(raw);
      } else if (starts_with(name, base)) {
        throw DataError(fmt::format("checkpoint '{}': unexpected tensor '{}' (not part of a {} backbone with this config; "
                                    "is config.json the one saved with these weights?)", store.describe(), raw, cfg.model_type()));
      } else if (strict_head) {
        throw DataError(fmt::format("checkpoint '{}': unexpected tensor '{}' for a {} head", store.describe(), raw,
                                    config::to_string(cfg.head)));
      } else {
        rep.skipped_unexpected.push_back(raw);
      }
      continue;
    }
    auto& dst = *it;
    const auto& e = store.entry(raw);
    auto dt = tensor::safetensors_dtype(e.dtype);
    if (!c10::isFloatingType(dt)) {
      throw DataError(fmt::format("checkpoint '{}': tensor '{}' has dtype {} but a floating-point tensor is expected",
                                  store.describe(), raw, e.dtype));
    }
    if (c10::IntArrayRef(e.shape) != dst.sizes()) {
      const bool head = !starts_with(name, base);
      if (head && !strict_head) {
        rep.skipped_unexpected.push_back(raw + " (shape " + shape_str(e.shape) + ")");
        continue;
      }
      throw DataError(fmt::format("checkpoint '{}': tensor '{}' has shape {} but the config expects {}",
                                  store.describe(), raw, shape_str(e.shape), shape_str(dst.sizes())));
    }
    auto value = store.load(raw);
    require_finite(value, raw, store.describe());
    dst.copy_(value.to(dst.scalar_type()));
    found.insert(name);
    rep.loaded.push_back(name);
  }
  for (auto& n : expected) {
    if (found.count(n)) continue;
    // HF's *ForMaskedLM classes have no pooler (BertModel(add_pooling_layer=False)); like transformers, a
    // checkpoint without one loads with the pooler freshly initialised, and the report says so.
    const bool pooler = starts_with(n, base + "pooler.");
    if (!pooler && (starts_with(n, base) || strict_head)) {
      throw DataError(fmt::format("checkpoint '{}': missing tensor '{}' (the config expects it; was the checkpoint "
                                  "saved from a different variant?)", store.describe(), n));
    }
    rep.missing_initialised.push_back(n);
  }
  return rep;
}

CodeModel load_pretrained(const fs::path& dir, const LoadOptions& opts, LoadReport* report) {
  auto cfg = load_config(dir);
  const auto saved_head = cfg.head;
  if (opts.head) cfg.head = *opts.head;
  if (opts.num_labels > 0 && opts.num_labels != cfg.num_labels) {
    cfg.num_labels = opts.num_labels;
    cfg.id2label.clear();  // the saved names belong to the old head
  }
  if (!opts.id2label.empty()) cfg.id2label = opts.id2label;
  if (opts.padding_mode) cfg.padding_mode = *opts.padding_mode;
  cfg.validate((fs::is_directory(dir) ? dir / "config.json" : dir).string());
  const fs::path weights = fs::is_directory(dir) ? dir : dir.parent_path();
  bool untied = false;
  if (cfg.tie_word_embeddings && cfg.head == config::HeadKind::kMaskedLM) {
    // A stored decoder that differs from the embeddings is loaded as it is (untied), never dropped.
    tensor::SafetensorsStore store(weights);
    double diff = 0;
    if (decoder_differs(store, &diff)) {
      cfg.tie_word_embeddings = false;
      untied = true;
      spdlog::warn("checkpoint '{}': its MLM decoder (cls.predictions.decoder.weight) differs from the word embeddings "
                   "(max |difference| {:.3g}), so it is loaded untied although config.json says tie_word_embeddings "
                   "is true", store.describe(), diff);
    }
  }
  CodeModel model(cfg);
  const bool strict_head = !opts.head || *opts.head == saved_head;
  auto rep = load_weights(model, weights, strict_head);
  rep.untied_decoder = untied;
  if (report) *report = rep;
  return model;
}

}  // namespace codessm::model
