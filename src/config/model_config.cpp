#include "codessm/config/model_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "codessm/core/error.h"

namespace codessm::config {

using nlohmann::json;

std::string to_string(Arch a) {
  switch (a) {
    case Arch::kBiGS: return "bigs";
    case Arch::kRoFormer: return "roformer";
    case Arch::kBert: return "bert";
  }
  return "?";
}
std::string to_string(HeadKind h) {
  switch (h) {
    case HeadKind::kMaskedLM: return "mlm";
    case HeadKind::kSequenceClassification: return "sequence_classification";
    case HeadKind::kTokenClassification: return "token_classification";
    case HeadKind::kRetrieval: return "retrieval";
    case HeadKind::kPairClassification: return "pair_classification";
  }
  return "?";
}
std::string to_string(PaddingMode p) { return p == PaddingMode::kReference ? "reference" : "masked"; }
std::string to_string(SsmInit s) {
  switch (s) {
    case SsmInit::kLin: return "lin";
    case SsmInit::kInv: return "inv";
    case SsmInit::kHippo: return "hippo";
  }
  return "?";
}
HeadKind parse_head_kind(const std::string& s) {
  if (s == "mlm" || s == "masked_lm") return HeadKind::kMaskedLM;
  if (s == "sequence_classification" || s == "seqcls") return HeadKind::kSequenceClassification;
  if (s == "token_classification" || s == "tokcls") return HeadKind::kTokenClassification;
  if (s == "retrieval") return HeadKind::kRetrieval;
  if (s == "pair_classification" || s == "paircls") return HeadKind::kPairClassification;
  throw UsageError(fmt::format("unknown task head '{}': use mlm, sequence_classification, token_classification, "
                               "pair_classification or retrieval",
                               s));
}
PaddingMode parse_padding_mode(const std::string& s) {
  if (s == "reference") return PaddingMode::kReference;
  if (s == "masked") return PaddingMode::kMasked;
  throw UsageError(fmt::format("unknown padding mode '{}': use reference (BiGS parity) or masked", s));
}
SsmInit parse_ssm_init(const std::string& s) {
  if (s == "lin") return SsmInit::kLin;
  if (s == "inv") return SsmInit::kInv;
  if (s == "hippo") return SsmInit::kHippo;
  throw UsageError(fmt::format("unknown S4D init '{}': use lin, inv or hippo", s));
}

std::string ModelConfig::model_type() const {
  switch (arch) {
    case Arch::kBiGS: return "BiGS";
    case Arch::kRoFormer: return "roformer";
    case Arch::kBert: return "bert";
  }
  return "?";
}

std::string ModelConfig::base_prefix() const { return to_string(arch); }

std::string ModelConfig::hf_architecture() const {
  std::string base = arch == Arch::kBiGS ? "BiGS" : arch == Arch::kRoFormer ? "RoFormer" : "Bert";
  switch (head) {
    case HeadKind::kMaskedLM: return base + "ForMaskedLM";
    case HeadKind::kSequenceClassification: return base + "ForSequenceClassification";
    case HeadKind::kTokenClassification: return base + "ForTokenClassification";
    case HeadKind::kRetrieval: return base + "Model";
    case HeadKind::kPairClassification: return base + "ForPairClassification";  // codessm's; codessm_task says so too
  }
  return base;
}

void ModelConfig::validate(const std::string& src) const {
  auto fail = [&](const std::string& field, const std::string& msg) {
    throw UsageError(fmt::format("{}: field '{}' {}", src, field, msg));
  };
  if (vocab_size <= 0) fail("vocab_size", fmt::format("must be > 0 (got {})", vocab_size));
  if (hidden_size <= 0) fail("hidden_size", fmt::format("must be > 0 (got {})", hidden_size));
  if (num_hidden_layers <= 0) fail("num_hidden_layers", fmt::format("must be > 0 (got {})", num_hidden_layers));
  if (intermediate_size <= 0) fail("intermediate_size", fmt::format("must be > 0 (got {})", intermediate_size));
  if (type_vocab_size <= 0) fail("type_vocab_size", "must be > 0");
  if (max_position_embeddings <= 0) fail("max_position_embeddings", "must be > 0");
  if (pad_token_id < 0 || pad_token_id >= vocab_size)
    fail("pad_token_id", fmt::format("must be in [0, vocab_size={}) (got {})", vocab_size, pad_token_id));
  if (!(layer_norm_eps > 0)) fail("layer_norm_eps", "must be > 0");
  if (!(initializer_range > 0)) fail("initializer_range", "must be > 0");
  // Sizes whose tensors could never be allocated (or whose element counts overflow) are impossible values, not
  // an out-of-memory error to meet later: 2^34 elements is 64 GiB of fp32 in one tensor.
  constexpr int64_t kMaxElements = int64_t{1} << 34;
  auto product_fits = [&](int64_t a, int64_t b) { return a <= kMaxElements / std::max<int64_t>(b, 1); };
  if (!product_fits(vocab_size, hidden_size))
    fail("vocab_size", fmt::format("× hidden_size = {} × {} is beyond any model (more than 2^34 embedding values)", vocab_size, hidden_size));
  if (!product_fits(intermediate_size, hidden_size))
    fail("intermediate_size", fmt::format("× hidden_size = {} × {} is beyond any model (more than 2^34 values per layer)", intermediate_size, hidden_size));
  if (!product_fits(max_position_embeddings, hidden_size))
    fail("max_position_embeddings", fmt::format("× hidden_size = {} × {} is beyond any model", max_position_embeddings, hidden_size));
  if (num_hidden_layers > 4096) fail("num_hidden_layers", fmt::format("must be <= 4096 (got {})", num_hidden_layers));
  if (pretraining_context < 0) fail("codessm_pretraining_context", fmt::format("must be >= 0 (0 = unknown), got {}", pretraining_context));
  for (auto [name, p] : {std::pair<const char*, double>{"hidden_dropout_prob", hidden_dropout_prob},
                         {"attention_probs_dropout_prob", attention_probs_dropout_prob},
                         {"codessm_layer_dropout", layer_dropout}}) {
    if (!(p >= 0 && p < 1)) fail(name, fmt::format("must be in [0, 1) (got {})", p));
  }
  if (classifier_dropout >= 1) fail("classifier_dropout", "must be < 1 (or null)");
  if (hidden_act != "gelu") fail("hidden_act", fmt::format("'{}' is not supported; use \"gelu\" (erf form, as the PyTorch reference)", hidden_act));
  if (position_embedding_type != "absolute" && position_embedding_type != "none" &&
      position_embedding_type != "rotary" && position_embedding_type != "relative_key") {
    // "rotary" (RoFormer's own config) and "relative_key" (HF BERT configs) are read so those files load; codessm
    // builds learned positions for "absolute" only, and RoPE from the RoFormer architecture.
    fail("position_embedding_type",
         fmt::format("'{}' is not supported: use \"absolute\" or \"none\" (\"rotary\" and \"relative_key\" are read "
                     "from Hugging Face configs and add no learned positions)",
                     position_embedding_type));
  }
  if ((head == HeadKind::kSequenceClassification || head == HeadKind::kTokenClassification ||
       head == HeadKind::kPairClassification) &&
      num_labels <= 0)
    fail("num_labels", "must be > 0 for a classification head");
  if (!id2label.empty() && static_cast<int64_t>(id2label.size()) != num_labels)
    fail("id2label", fmt::format("has {} names but num_labels is {}; make them agree", id2label.size(), num_labels));
  if (arch == Arch::kBiGS) {
    if (num_ssm <= 0) fail("num_ssm", "must be > 0");
    if (ssm_kernels <= 0 || hidden_size % ssm_kernels != 0)
      fail("codessm_ssm_kernels", fmt::format("must divide hidden_size={} (got {}): channels are split into contiguous blocks of hidden_size/k", hidden_size, ssm_kernels));
    if (!(dt_min > 0 && dt_max >= dt_min)) fail("codessm_dt_min", "need 0 < dt_min <= dt_max");
    if (!product_fits(num_ssm, hidden_size)) fail("num_ssm", fmt::format("× hidden_size = {} × {} is beyond any model", num_ssm, hidden_size));
    if (pooler_type != "non_padding_mean" && pooler_type != "mean")
      fail("pooler_type", fmt::format("'{}' is not supported: use non_padding_mean or mean", pooler_type));
    if (hf_conv && (hf_conv_groups <= 0 || hidden_size % hf_conv_groups != 0))
      fail("codessm_hf_conv_groups", fmt::format("must divide hidden_size={} (got {})", hidden_size, hf_conv_groups));
    if (mixer == SequenceMixer::kFourier && ssm_kernels != 1)
      fail("codessm_ssm_kernels", "must be 1 with the Fourier (CodeF) mixer, which has no kernels");
  } else {
    if (num_attention_heads <= 0 || hidden_size % num_attention_heads != 0)
      fail("num_attention_heads", fmt::format("must divide hidden_size={} (got {})", hidden_size, num_attention_heads));
    if (arch == Arch::kRoFormer && head_dim() % 2 != 0)
      fail("num_attention_heads", fmt::format("RoPE needs an even head dim; hidden_size/heads = {}", head_dim()));
  }
}

json ModelConfig::to_json() const {
  json j;
  j["model_type"] = model_type();
  j["architectures"] = {hf_architecture()};
  j["vocab_size"] = vocab_size;
  j["hidden_size"] = hidden_size;
  j["num_hidden_layers"] = num_hidden_layers;
  j["intermediate_size"] = intermediate_size;
  j["hidden_act"] = hidden_act;
  j["hidden_dropout_prob"] = hidden_dropout_prob;
  j["max_position_embeddings"] = max_position_embeddings;
  j["type_vocab_size"] = type_vocab_size;
  j["initializer_range"] = initializer_range;
  j["layer_norm_eps"] = layer_norm_eps;
  j["pad_token_id"] = pad_token_id;
  j["position_embedding_type"] = arch == Arch::kRoFormer ? "rotary" : position_embedding_type;
  j["tie_word_embeddings"] = tie_word_embeddings;
  j["classifier_dropout"] = classifier_dropout < 0 ? json(nullptr) : json(classifier_dropout);
  j["num_labels"] = num_labels;
  j["problem_type"] = problem_type;
  if (!id2label.empty()) {
    json id2 = json::object(), l2i = json::object();
    for (size_t i = 0; i < id2label.size(); ++i) {
      id2[std::to_string(i)] = id2label[i];
      l2i[id2label[i]] = i;
    }
    j["id2label"] = id2;
    j["label2id"] = l2i;
  }
  if (arch == Arch::kBiGS) {
    j["num_ssm"] = num_ssm;
    j["pooler_type"] = pooler_type;
    j["scaling"] = to_string(ssm_init);
    j["pre_norm"] = true;
    j["decode"] = false;
    j["use_pykeops_kernel"] = false;
    j["codessm_ssm_kernels"] = ssm_kernels;
    j["codessm_bidirectional"] = bidirectional;
    j["codessm_layer_dropout"] = layer_dropout;
    j["codessm_mixer"] = mixer == SequenceMixer::kS4D ? "s4d" : "fourier";
    j["codessm_hf_conv"] = hf_conv;
    j["codessm_hf_conv_groups"] = hf_conv_groups;
    j["codessm_padding_mode"] = to_string(padding_mode);
    j["codessm_dt_min"] = dt_min;
    j["codessm_dt_max"] = dt_max;
  } else {
    j["num_attention_heads"] = num_attention_heads;
    j["attention_probs_dropout_prob"] = attention_probs_dropout_prob;
    if (arch == Arch::kRoFormer) {
      j["embedding_size"] = hidden_size;
      j["rotary_value"] = false;
      j["codessm_rotary_base"] = rotary_base;
    }
  }
  j["codessm_task"] = to_string(head);  // key name kept: older checkpoints and tools read it
  j["codessm_preset"] = preset;
  j["codessm_pretraining_context"] = pretraining_context;
  if (!tokenizer_fingerprint.empty()) j["codessm_tokenizer_fingerprint"] = tokenizer_fingerprint;
  j["codessm_format_version"] = kModelConfigFormatVersion;
  return j;
}

template <typename T>
static void read_key(const json& j, const char* key, T& out, const std::string& src) {
  if (!j.contains(key) || j[key].is_null()) return;
  const json& v = j[key];
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    // nlohmann's get<integer>() of a float or of an integer outside T's range is undefined or wraps (found by
    // fuzz/model_config: 2.8e92 as num_hidden_layers). Integers, or integral floats, within T's range only.
    const auto range_error = [&] {
      return UsageError(fmt::format("{}: field '{}' must be an integer in [{}, {}], got {}", src, key,
                                    std::numeric_limits<T>::min(), std::numeric_limits<T>::max(), v.dump()));
    };
    long double x = 0;
    if (v.is_number_unsigned()) x = static_cast<long double>(v.get<uint64_t>());
    else if (v.is_number_integer()) x = static_cast<long double>(v.get<int64_t>());
    else if (v.is_number_float() && std::isfinite(v.get<double>()) && std::trunc(v.get<double>()) == v.get<double>())
      x = static_cast<long double>(v.get<double>());
    else throw range_error();
    if (x < static_cast<long double>(std::numeric_limits<T>::min()) ||
        x > static_cast<long double>(std::numeric_limits<T>::max()))
      throw range_error();
    out = static_cast<T>(x);
    return;
  }
  try {
    out = v.get<T>();
  } catch (const json::exception& e) {
    throw UsageError(fmt::format("{}: field '{}' has the wrong type ({}): {}", src, key, v.dump(), e.what()));
  }
}

ModelConfig ModelConfig::from_json(const json& j, const std::string& src) {
  if (!j.is_object()) throw UsageError(fmt::format("{}: expected a JSON object", src));
  ModelConfig c;
  int version = 0;
  read_key(j, "codessm_format_version", version, src);
  if (version > kModelConfigFormatVersion) {
    throw UsageError(fmt::format("{}: codessm_format_version {} is newer than this build supports ({}); upgrade codessm",
                                 src, version, kModelConfigFormatVersion));
  }
  std::string mt;
  read_key(j, "model_type", mt, src);
  std::string mt_l = mt;
  for (auto& ch : mt_l) ch = static_cast<char>(std::tolower(ch));
  if (mt_l == "bigs" || mt_l.empty()) c.arch = Arch::kBiGS;
  else if (mt_l == "roformer") c.arch = Arch::kRoFormer;
  else if (mt_l == "bert") c.arch = Arch::kBert;
  else throw UsageError(fmt::format("{}: field 'model_type' is '{}'; codessm reads BiGS, roformer and bert", src, mt));

  const bool ours = j.contains("codessm_format_version");
  // HF class defaults where a foreign file leaves a key out (BiGSConfig/BertConfig: absolute positions).
  c.position_embedding_type = "absolute";
  if (!ours) c.padding_mode = PaddingMode::kReference;
  c.max_position_embeddings = 512;
  read_key(j, "vocab_size", c.vocab_size, src);
  read_key(j, "hidden_size", c.hidden_size, src);
  read_key(j, "num_hidden_layers", c.num_hidden_layers, src);
  read_key(j, "intermediate_size", c.intermediate_size, src);
  read_key(j, "hidden_act", c.hidden_act, src);
  read_key(j, "hidden_dropout_prob", c.hidden_dropout_prob, src);
  read_key(j, "max_position_embeddings", c.max_position_embeddings, src);
  read_key(j, "type_vocab_size", c.type_vocab_size, src);
  read_key(j, "initializer_range", c.initializer_range, src);
  read_key(j, "layer_norm_eps", c.layer_norm_eps, src);
  read_key(j, "pad_token_id", c.pad_token_id, src);
  read_key(j, "position_embedding_type", c.position_embedding_type, src);
  if (c.arch == Arch::kRoFormer) c.position_embedding_type = "none";  // RoPE lives in attention, not the embeddings
  if (c.arch == Arch::kRoFormer) {  // RoFormerConfig options this model does not implement
    int64_t emb = c.hidden_size;
    bool rotary_value = false;
    read_key(j, "embedding_size", emb, src);
    read_key(j, "rotary_value", rotary_value, src);
    if (emb != c.hidden_size)
      throw UsageError(fmt::format("{}: field 'embedding_size' is {} but hidden_size is {}; codessm's RoFormer has no "
                                   "embeddings_project, so the two must be equal", src, emb, c.hidden_size));
    if (rotary_value)
      throw UsageError(fmt::format("{}: field 'rotary_value' is true; codessm applies RoPE to queries and keys only "
                                   "(RoCoder), set it to false", src));
  }
  read_key(j, "tie_word_embeddings", c.tie_word_embeddings, src);
  read_key(j, "classifier_dropout", c.classifier_dropout, src);
  read_key(j, "num_labels", c.num_labels, src);
  if (j.contains("id2label") && j["id2label"].is_object() && !j.contains("num_labels"))
    c.num_labels = static_cast<int64_t>(j["id2label"].size());
  if (j.contains("id2label") && j["id2label"].is_object()) {
    // HF keys are decimal strings "0".."n-1"; the names are kept only when they cover exactly that range.
    std::vector<std::string> names(j["id2label"].size());
    bool ok = true;
    for (auto& [k, v] : j["id2label"].items()) {
      size_t i = 0;
      try {
        i = std::stoul(k);
      } catch (const std::exception&) {
        ok = false;
        break;
      }
      if (i >= names.size() || !v.is_string()) { ok = false; break; }
      names[i] = v.get<std::string>();
    }
    if (ok) c.id2label = std::move(names);
  }
  read_key(j, "problem_type", c.problem_type, src);
  read_key(j, "num_ssm", c.num_ssm, src);
  read_key(j, "pooler_type", c.pooler_type, src);
  std::string scaling;
  read_key(j, "scaling", scaling, src);
  if (!scaling.empty()) c.ssm_init = parse_ssm_init(scaling);
  read_key(j, "codessm_ssm_kernels", c.ssm_kernels, src);
  read_key(j, "codessm_bidirectional", c.bidirectional, src);
  read_key(j, "codessm_layer_dropout", c.layer_dropout, src);
  std::string mixer;
  read_key(j, "codessm_mixer", mixer, src);
  if (mixer == "fourier") c.mixer = SequenceMixer::kFourier;
  else if (mixer.empty() || mixer == "s4d") c.mixer = SequenceMixer::kS4D;
  else throw UsageError(fmt::format("{}: field 'codessm_mixer' is '{}': use s4d or fourier", src, mixer));
  read_key(j, "codessm_hf_conv", c.hf_conv, src);
  read_key(j, "codessm_hf_conv_groups", c.hf_conv_groups, src);
  std::string pm;
  read_key(j, "codessm_padding_mode", pm, src);
  if (!pm.empty()) c.padding_mode = parse_padding_mode(pm);
  read_key(j, "codessm_dt_min", c.dt_min, src);
  read_key(j, "codessm_dt_max", c.dt_max, src);
  read_key(j, "num_attention_heads", c.num_attention_heads, src);
  read_key(j, "attention_probs_dropout_prob", c.attention_probs_dropout_prob, src);
  read_key(j, "codessm_rotary_base", c.rotary_base, src);
  read_key(j, "codessm_preset", c.preset, src);
  read_key(j, "codessm_pretraining_context", c.pretraining_context, src);
  read_key(j, "codessm_tokenizer_fingerprint", c.tokenizer_fingerprint, src);

  std::string task;
  read_key(j, "codessm_task", task, src);
  if (!task.empty()) {
    c.head = parse_head_kind(task);
  } else if (j.contains("architectures") && j["architectures"].is_array() && !j["architectures"].empty()) {
    const auto& a0 = j["architectures"][0];
    if (!a0.is_string())
      throw UsageError(fmt::format("{}: architectures[0] must be a string such as \"BiGSForMaskedLM\", got {}", src,
                                   a0.dump()));
    const std::string a = a0.get<std::string>();
    auto ends = [&](const std::string& s) { return a.size() >= s.size() && a.compare(a.size() - s.size(), s.size(), s) == 0; };
    if (ends("ForMaskedLM")) c.head = HeadKind::kMaskedLM;
    else if (ends("ForSequenceClassification")) c.head = HeadKind::kSequenceClassification;
    else if (ends("ForTokenClassification")) c.head = HeadKind::kTokenClassification;
    else if (ends("ForPairClassification")) c.head = HeadKind::kPairClassification;
    else if (ends("Model")) c.head = HeadKind::kRetrieval;
    else throw UsageError(fmt::format("{}: architectures[0] = '{}' is not a head codessm knows", src, a));
  }
  c.validate(src);
  return c;
}

}  // namespace codessm::config
