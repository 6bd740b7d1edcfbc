// Save → load round trips (bit-exact in fp32; sharded and single-file), bf16 storage, head changes,
// and every corrupted-checkpoint case with its clear error.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "codessm/config/presets.h"
#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/model/checkpoint.h"
#include "codessm/tensor/safetensors.h"
#include "test_utils.h"

using namespace codessm;
namespace fs = std::filesystem;

namespace {

void expect_same_params(model::CodeModel& a, model::CodeModel& b) {
  auto pb = b->named_parameters();
  for (auto& p : a->named_parameters()) {
    ASSERT_NE(pb.find(p.key()), nullptr) << p.key();
    EXPECT_TRUE(torch::equal(p.value(), pb[p.key()])) << p.key();
  }
}

fs::path saved_tiny(const std::string& name, uint64_t shard_bytes, const std::string& preset = "codessm-tiny") {
  auto dir = test::temp_dir(name) / "ckpt";
  model::CodeModel m(config::make_preset(preset));
  model::SaveOptions so;
  so.max_shard_bytes = shard_bytes;
  model::save_pretrained(m, dir, so);
  return dir;
}

}  // namespace

TEST(Checkpoint, RoundTripIsBitExactSingleAndSharded) {
  for (auto preset : {"codessm-tiny", "codessm-tiny-hf", "codessm-tiny-4kernel", "rocoder-tiny", "bertcoder-tiny"}) {
    for (uint64_t shard : {uint64_t(0), uint64_t(64 << 10)}) {
      torch::manual_seed(9);
      model::CodeModel m(config::make_preset(preset));
      auto dir = test::temp_dir(std::string("rt_") + preset + std::to_string(shard)) / "ckpt";
      model::SaveOptions so;
      so.max_shard_bytes = shard;
      model::save_pretrained(m, dir, so);
      EXPECT_EQ(fs::exists(dir / "model.safetensors.index.json"), shard != 0) << preset;
      auto m2 = model::load_pretrained(dir);
      expect_same_params(m, m2);
      auto ids = torch::randint(1, 1000, {2, 9});
      m->eval();
      m2->eval();
      EXPECT_TRUE(torch::equal(m->forward({ids, {}, {}}).logits, m2->forward({ids, {}, {}}).logits)) << preset;
    }
  }
}

TEST(Checkpoint, HFNamesAndTiedDecoderOmitted) {
  auto dir = saved_tiny("names", 0);
  tensor::SafetensorsStore s(dir);
  EXPECT_TRUE(s.contains("bigs.encoder.layer.0.fs4.kernel.log_step"));
  EXPECT_TRUE(s.contains("bigs.encoder.layer.1.bs4.D"));
  EXPECT_TRUE(s.contains("bigs.encoder.layer.0.do.weight"));
  EXPECT_TRUE(s.contains("cls.predictions.bias"));
  EXPECT_FALSE(s.contains("cls.predictions.decoder.weight"));  // tied, as HF saves it
  EXPECT_EQ(s.entry("bigs.encoder.layer.0.fs4.kernel.C").shape, (std::vector<int64_t>{16, 2}));
  EXPECT_EQ(s.metadata().at("format"), "pt");
  auto cfg = nlohmann::json::parse(core::read_file(dir / "config.json"));
  EXPECT_EQ(cfg["model_type"], "BiGS");
  EXPECT_EQ(cfg["architectures"][0], "BiGSForMaskedLM");
}

TEST(Checkpoint, Bf16StorageLoadsWithinBf16Precision) {
  torch::manual_seed(3);
  model::CodeModel m(config::make_preset("codessm-tiny"));
  auto dir = test::temp_dir("bf16") / "ckpt";
  model::SaveOptions so;
  so.dtype = torch::kBFloat16;
  model::save_pretrained(m, dir, so);
  EXPECT_EQ(tensor::SafetensorsStore(dir).entry("bigs.encoder.layer.0.dv.weight").dtype, "BF16");
  auto m2 = model::load_pretrained(dir);
  auto p2 = m2->named_parameters();
  for (auto& p : m->named_parameters())
    EXPECT_TRUE(torch::allclose(p.value(), p2[p.key()], 1e-2, 1e-6)) << p.key();
}

TEST(Checkpoint, HeadChangeKeepsBackbone) {
  auto dir = saved_tiny("head", 0);
  model::LoadOptions lo;
  lo.head = config::HeadKind::kSequenceClassification;
  lo.num_labels = 3;
  model::LoadReport rep;
  auto m = model::load_pretrained(dir, lo, &rep);
  EXPECT_EQ(m->config().num_labels, 3);
  EXPECT_FALSE(rep.missing_initialised.empty());  // classifier.*
  EXPECT_FALSE(rep.skipped_unexpected.empty());   // cls.predictions.*
}

TEST(Checkpoint, CorruptedCasesGiveClearErrors) {
  // Missing tensor.
  {
    auto dir = saved_tiny("missing", 0);
    tensor::SafetensorsStore s(dir);
    tensor::NamedTensors keep;
    for (auto& n : s.names())
      if (n != "bigs.encoder.layer.1.dol.bias") keep.emplace_back(n, s.load(n));
    tensor::save_safetensors(dir / "model.safetensors", keep, {{"format", "pt"}});
    EXPECT_THROW_WITH(model::load_pretrained(dir), DataError, "missing tensor 'bigs.encoder.layer.1.dol.bias'");
  }
  // Unexpected tensor in the backbone.
  {
    auto dir = saved_tiny("unexpected", 0);
    tensor::SafetensorsStore s(dir);
    tensor::NamedTensors all;
    for (auto& n : s.names()) all.emplace_back(n, s.load(n));
    all.emplace_back("bigs.encoder.layer.7.dv.weight", torch::zeros({2, 2}));
    tensor::save_safetensors(dir / "model.safetensors", all, {{"format", "pt"}});
    EXPECT_THROW_WITH(model::load_pretrained(dir), DataError, "unexpected tensor 'bigs.encoder.layer.7.dv.weight'");
  }
  // Wrong shape and wrong dtype.
  for (auto kind : {"shape", "dtype"}) {
    auto dir = saved_tiny(std::string("wrong_") + kind, 0);
    tensor::SafetensorsStore s(dir);
    tensor::NamedTensors all;
    for (auto& n : s.names()) {
      auto t = s.load(n);
      if (n == "bigs.encoder.layer.0.dv.weight") t = std::string(kind) == "shape" ? torch::zeros({3, 3}) : t.to(torch::kInt32);
      all.emplace_back(n, t);
    }
    tensor::save_safetensors(dir / "model.safetensors", all, {{"format", "pt"}});
    EXPECT_THROW_WITH(model::load_pretrained(dir), DataError,
                      std::string(kind) == "shape" ? "has shape [3, 3] but the config expects [192, 64]" : "has dtype I32");
  }
  // Truncated file.
  {
    auto dir = saved_tiny("truncated", 0);
    auto f = dir / "model.safetensors";
    fs::resize_file(f, fs::file_size(f) - 100);
    EXPECT_THROW_WITH(model::load_pretrained(dir), DataError, "is truncated");
  }
  // Bad header: garbage JSON, and a header length larger than the file.
  {
    auto dir = saved_tiny("badheader", 0);
    auto f = dir / "model.safetensors";
    std::fstream io(f, std::ios::in | std::ios::out | std::ios::binary);
    io.seekp(8);
    io.write("#", 1);
    io.close();
    EXPECT_THROW_WITH(model::load_pretrained(dir), DataError, "bad header");
    std::ofstream(f, std::ios::binary | std::ios::trunc).write("\xff\xff\xff\x00\x00\x00\x00\x00{}", 10);
    EXPECT_THROW_WITH(model::load_pretrained(dir), DataError, "bad header");
  }
  // Missing shard named in the index; missing config.json; a newer format version.
  {
    auto dir = saved_tiny("shard", 32 << 10);
    auto index = nlohmann::json::parse(core::read_file(dir / "model.safetensors.index.json"));
    std::string shard = index["weight_map"]["bigs.encoder.layer.1.dv.weight"];
    ASSERT_NE(shard, "model.safetensors");
    fs::remove(dir / shard);
    EXPECT_THROW_WITH(model::load_pretrained(dir), DataError, shard);
  }
  {
    auto dir = saved_tiny("noconfig", 0);
    fs::remove(dir / "config.json");
    EXPECT_THROW_WITH(model::load_pretrained(dir), DataError, "config.json");
    auto dir2 = saved_tiny("newer", 0);
    auto j = nlohmann::json::parse(core::read_file(dir2 / "config.json"));
    j["codessm_format_version"] = 99;
    core::write_file_atomic(dir2 / "config.json", j.dump());
    EXPECT_THROW_WITH(model::load_pretrained(dir2), UsageError, "newer than this build supports");
    j["codessm_format_version"] = 1;
    j["codessm_ssm_kernels"] = 5;
    core::write_file_atomic(dir2 / "config.json", j.dump());
    EXPECT_THROW_WITH(model::load_pretrained(dir2), UsageError, "field 'codessm_ssm_kernels' must divide hidden_size=64");
  }
}

TEST(Checkpoint, LoadsABareBiGSModelWithoutPrefixAndIgnoresBiGSExtras) {
  // A BiGS PyTorch state dict of BiGSModel has no "bigs." prefix and carries position_ids and the unused
  // position table; both load.
  torch::manual_seed(4);
  model::CodeModel m(config::make_preset("codessm-tiny"));
  auto dir = test::temp_dir("bare") / "ckpt";
  model::save_pretrained(m, dir);
  tensor::SafetensorsStore s(dir);
  tensor::NamedTensors bare;
  for (auto& n : s.names())
    if (n.rfind("bigs.", 0) == 0) bare.emplace_back(n.substr(5), s.load(n));
  bare.emplace_back("embeddings.position_ids", torch::arange(512).unsqueeze(0));
  bare.emplace_back("embeddings.position_embeddings.weight", torch::zeros({512, 64}));
  tensor::save_safetensors(dir / "model.safetensors", bare, {{"format", "pt"}});
  model::LoadReport rep;
  model::LoadOptions lo;
  lo.head = config::HeadKind::kRetrieval;
  auto m2 = model::load_pretrained(dir, lo, &rep);
  EXPECT_EQ(rep.ignored_known.size(), 2u);
  auto ids = torch::randint(1, 1000, {1, 6});
  m->eval();
  m2->eval();
  EXPECT_TRUE(torch::equal(m->encode({ids, {}, {}}, false).last_hidden, m2->encode({ids, {}, {}}, false).last_hidden));
}

TEST(Checkpoint, MaskedLMWithoutPoolerLoadsAsTransformersWritesIt) {
  // transformers' BertForMaskedLM has no pooler (add_pooling_layer=False), so its files lack bert.pooler.*; they
  // load with the pooler freshly initialised (reported), and the MLM logits do not depend on it.
  auto dir = saved_tiny("no_pooler", 0, "bertcoder-tiny");
  auto full = model::load_pretrained(dir);
  tensor::SafetensorsStore s(dir);
  tensor::NamedTensors keep;
  for (auto& n : s.names())
    if (n.rfind("bert.pooler.", 0) != 0) keep.emplace_back(n, s.load(n));
  ASSERT_EQ(keep.size() + 2, s.names().size());
  tensor::save_safetensors(dir / "model.safetensors", keep, {{"format", "pt"}});
  model::LoadReport rep;
  auto m = model::load_pretrained(dir, {}, &rep);
  EXPECT_EQ(rep.missing_initialised, (std::vector<std::string>{"bert.pooler.dense.bias", "bert.pooler.dense.weight"}));
  full->eval();
  m->eval();
  torch::NoGradGuard g;
  auto ids = torch::randint(1, 1000, {2, 9}, torch::kInt64);
  model::ModelInput mi{ids, torch::ones_like(ids), {}};
  EXPECT_TRUE(torch::equal(m->forward(mi).logits, full->forward(mi).logits));
  // Any other missing backbone tensor is still an error.
  keep.erase(keep.begin());
  tensor::save_safetensors(dir / "model.safetensors", keep, {{"format", "pt"}});
  EXPECT_THROW_WITH(model::load_pretrained(dir), DataError, "missing tensor");
}
