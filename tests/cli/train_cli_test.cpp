// `codessm pretrain` end to end through the binary, on a SentencePiece tokenizer and shards of a few stdlib
// modules: --stop-after + --resume ends bit-identical to an uninterrupted run; SIGTERM finishes the step, saves and
// exits 143, and --resume continues without repeating a metrics record; a second run on a running folder is
// refused; a write that fails for lack of space (a file-size limit on optimizer.pt) stops cleanly and leaves the
// previous checkpoint the latest; a run killed before its first checkpoint leaves no duplicate steps and no
// temporary folder behind; a checkpoint refuses another tokenizer and carries its own.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "codessm/core/io.h"
#include "optimizer_archive.h"
#include "test_utils.h"

namespace codessm {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct TrainCli : ::testing::Test {
  static void SetUpTestSuite() {
    if (!fs::exists(test::codessm_binary())) return;
    dir = test::temp_dir("train_cli");
    const fs::path src = fs::is_directory("/usr/lib/python3.11/json") ? "/usr/lib/python3.11/json"
                                                                      : test::source_dir() / "src" / "model";
    const fs::path other = fs::is_directory("/usr/lib/python3.11/email") ? "/usr/lib/python3.11/email"
                                                                         : test::source_dir() / "src" / "data";
    test::run_codessm_ok("tokenizer train --input " + src.string() + " --out " + (dir / "tok").string() +
                         " --vocab-size 400 --sentinels 0 --threads 2");
    test::run_codessm_ok("tokenizer train --input " + other.string() + " --out " + (dir / "tok_b").string() +
                         " --vocab-size 400 --sentinels 0 --threads 2");
    test::run_codessm_ok("tokenizer shard --tokenizer " + (dir / "tok").string() + " --input " + src.string() +
                         " --out " + (dir / "shards").string());
  }
  void SetUp() override {
    if (!fs::exists(test::codessm_binary())) GTEST_SKIP() << "codessm executable not built";
  }

  /// `pretrain` of the tiny default on the test shards, 4 steps, a checkpoint every 2.
  static std::string args(const fs::path& out, const std::string& extra = "") {
    return "pretrain --out " + out.string() + " --no-progress --threads 2 --set tokenizer=" + (dir / "tok").string() +
           " --set train_shards=" + (dir / "shards").string() +
           " --set context_length=64 --set batch_size=4 --set eval_batches=1 --set max_steps=4 --set warmup_steps=1"
           " --set eval_every=2 --set save_every=2 --set log_every=1 --set spectral_monitor=false " + extra;
  }
  static int run(const std::string& a, std::string* out) {
    return test::run_command(test::codessm_binary().string() + " " + a, out);
  }
  /// Steps of the "train" records of metrics.jsonl, in file order.
  static std::vector<int64_t> train_steps(const fs::path& run) {
    std::vector<int64_t> steps;
    std::istringstream in(core::read_file(run / "metrics.jsonl"));
    for (std::string line; std::getline(in, line);) {
      const auto j = json::parse(line);
      if (j["kind"] == "train") steps.push_back(j["step"].get<int64_t>());
    }
    return steps;
  }
  static bool has_temporaries(const fs::path& run) {
    for (const auto& e : fs::directory_iterator(run)) {
      const auto n = e.path().filename().string();
      if (n != ".lock" && (n[0] == '.' || n.find(".tmp") != std::string::npos)) return true;
    }
    return false;
  }
  /// Starts `codessm ARGS` as a child process (output to `log`); returns its pid.
  static pid_t spawn(const std::string& a, const fs::path& log) {
    const std::string cmd = "exec " + test::codessm_binary().string() + " " + a + " > " + log.string() + " 2>&1";
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    return pid;
  }
  /// Waits until metrics.jsonl of `run` holds at least `n` training records (or 120 s pass).
  static bool wait_for_steps(const fs::path& run, size_t n) {
    for (int i = 0; i < 1200; ++i) {
      if (fs::exists(run / "metrics.jsonl") && train_steps(run).size() >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  static fs::path dir;
};
fs::path TrainCli::dir;

TEST_F(TrainCli, StopAfterAndResumeMatchAnUninterruptedRunBitForBit) {
  std::string out;
  ASSERT_EQ(run(args(dir / "full"), &out), 0) << out;
  ASSERT_EQ(run(args(dir / "parts", "--stop-after 2"), &out), 0) << out;
  EXPECT_TRUE(fs::exists(dir / "parts" / "ckpt-000002"));
  EXPECT_FALSE(fs::exists(dir / "parts" / "ckpt-000004"));
  ASSERT_EQ(run(args(dir / "parts", "--resume"), &out), 0) << out;
  for (const char* f : {"model.safetensors", "train_state.json", "config.json"})
    EXPECT_EQ(core::read_file(dir / "full" / "ckpt-000004" / f), core::read_file(dir / "parts" / "ckpt-000004" / f))
        << f << " differs between the uninterrupted and the resumed run";
  // optimizer.pt: every tensor (moments, step counts, RNG states) and value equal; the archive bytes differ
  // between processes (LibTorch keys the state by parameter addresses).
  const auto oa = test::read_optimizer_archive(dir / "full" / "ckpt-000004" / "optimizer.pt");
  const auto ob = test::read_optimizer_archive(dir / "parts" / "ckpt-000004" / "optimizer.pt");
  EXPECT_EQ(oa.values, ob.values);
  ASSERT_EQ(oa.tensors.size(), ob.tensors.size());
  EXPECT_GT(oa.tensors.size(), 10u);
  for (const auto& [path, t] : oa.tensors) {
    ASSERT_TRUE(ob.tensors.count(path)) << path;
    EXPECT_TRUE(torch::equal(t, ob.tensors.at(path))) << "optimizer state " << path << " differs";
  }
  EXPECT_EQ(train_steps(dir / "parts"), (std::vector<int64_t>{1, 2, 3, 4}));
  // The checkpoint carries its tokenizer, so evaluation needs no --tokenizer.
  EXPECT_TRUE(fs::exists(dir / "full" / "ckpt-000004" / "codessm_tokenizer.json"));
  const auto cloze = test::source_dir() / "tests" / "data" / "tasks" / "cloze.json";
  EXPECT_EQ(run("eval " + (dir / "full" / "ckpt-000004").string() + " --task cloze --data " + cloze.string(), &out), 0)
      << out;
}

TEST_F(TrainCli, SigtermSavesAndExits143AndASecondRunOnTheFolderIsRefused) {
  const fs::path run_dir = dir / "sig";
  const pid_t pid = spawn(args(run_dir, "--set max_steps=100000 --set save_every=0 --set eval_every=0"), dir / "sig.log");
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(wait_for_steps(run_dir, 3)) << core::read_file(dir / "sig.log");
  std::string out;
  EXPECT_EQ(run(args(run_dir, "--resume"), &out), 1) << out;
  EXPECT_NE(out.find("is in use by another codessm process (pid " + std::to_string(pid)), std::string::npos) << out;
  ::kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by a signal instead of stopping: " << core::read_file(dir / "sig.log");
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM) << core::read_file(dir / "sig.log");
  const std::string log = core::read_file(dir / "sig.log");
  EXPECT_NE(log.find("stopped by SIGTERM after step"), std::string::npos) << log;
  // The step it stopped after is checkpointed, and every record up to it is in metrics.jsonl once.
  const auto steps = train_steps(run_dir);
  const int64_t k = steps.back();
  const auto state = json::parse(core::read_file(run_dir / fmt::format("ckpt-{:06d}", k) / "train_state.json"));
  EXPECT_EQ(state["step"].get<int64_t>(), k);
  ASSERT_EQ(run(args(run_dir, "--resume --set max_steps=100000 --set save_every=0 --set eval_every=0 --stop-after " +
                                  std::to_string(k + 2)),
                &out),
            0)
      << out;
  std::vector<int64_t> want;
  for (int64_t s = 1; s <= k + 2; ++s) want.push_back(s);
  EXPECT_EQ(train_steps(run_dir), want);
  EXPECT_TRUE(fs::exists(run_dir / fmt::format("ckpt-{:06d}", k + 2)));
}

TEST_F(TrainCli, AFailedCheckpointWriteStopsCleanlyAndThePreviousStaysTheLatest) {
  const fs::path run_dir = dir / "full_disk";
  std::string out;
  ASSERT_EQ(run(args(run_dir, "--stop-after 2"), &out), 0) << out;
  const auto model = fs::file_size(run_dir / "ckpt-000002" / "model.safetensors");
  const auto opt = fs::file_size(run_dir / "ckpt-000002" / "optimizer.pt");
  ASSERT_GT(opt, model + 4096);  // AdamW's two moments: the optimizer state is the larger file
  // A file-size limit between the two: the weights fit, optimizer.pt does not (EFBIG, as a full disk gives ENOSPC).
  const auto limit_kb = (model + opt) / 2 / 1024;
  const int rc = test::run_command("bash -c 'trap \"\" XFSZ; ulimit -f " + std::to_string(limit_kb) + "; exec " +
                                       test::codessm_binary().string() + " " + args(run_dir, "--resume") + "'",
                                   &out);
  EXPECT_EQ(rc, 2) << out;  // a data/IO error, not an abort
  EXPECT_NE(out.find("could not write checkpoint"), std::string::npos) << out;
  EXPECT_NE(out.find("ckpt-000002 stays the latest checkpoint"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(run_dir / "ckpt-000004"));
  EXPECT_FALSE(has_temporaries(run_dir));
  // Space again: the run continues from the checkpoint that stayed.
  ASSERT_EQ(run(args(run_dir, "--resume"), &out), 0) << out;
  EXPECT_TRUE(fs::exists(run_dir / "ckpt-000004"));
}

TEST_F(TrainCli, ARunKilledBeforeItsFirstCheckpointLeavesNoDuplicateStepsNorTemporaries) {
  const fs::path run_dir = dir / "killed";
  const pid_t pid = spawn(args(run_dir, "--set max_steps=100000 --set save_every=0 --set eval_every=0"), dir / "k.log");
  ASSERT_TRUE(wait_for_steps(run_dir, 3)) << core::read_file(dir / "k.log");
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  // What a kill inside the weight write of save_checkpoint leaves: save_pretrained's sibling temp of the staging folder.
  const fs::path stale = run_dir / "..staging-ckpt-000002-99999.tmp-99999";
  fs::create_directories(stale);
  core::write_file_atomic(stale / "model.safetensors", std::string(1 << 16, 'x'));
  std::string out;
  ASSERT_EQ(run(args(run_dir, "--stop-after 2"), &out), 0) << out;
  EXPECT_EQ(train_steps(run_dir), (std::vector<int64_t>{1, 2}));
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_FALSE(has_temporaries(run_dir));
}

TEST_F(TrainCli, ACheckpointRefusesAnotherTokenizer) {
  const fs::path run_dir = dir / "tok_check";
  std::string out;
  ASSERT_EQ(run(args(run_dir, "--stop-after 2"), &out), 0) << out;
  const std::string ckpt = (run_dir / "ckpt-000002").string();
  const auto cloze = test::source_dir() / "tests" / "data" / "tasks" / "cloze.json";
  EXPECT_EQ(run("eval " + ckpt + " --task cloze --tokenizer " + (dir / "tok_b").string() + " --data " + cloze.string(),
                &out),
            1)
      << out;
  EXPECT_NE(out.find("tokenizer mismatch: " + ckpt + " was trained with tokenizer"), std::string::npos) << out;
  EXPECT_NE(out.find((dir / "tok_b").string()), std::string::npos) << out;
  // Resuming with another tokenizer is refused the same way.
  EXPECT_EQ(run(args(run_dir, "--resume --set tokenizer=" + (dir / "tok_b").string()), &out), 1) << out;
  EXPECT_NE(out.find("tokenizer mismatch"), std::string::npos) << out;
}

}  // namespace
}  // namespace codessm
