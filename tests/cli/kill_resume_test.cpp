// Kill/resume under fire (docs/reliability.md): `codessm pretrain` and `codessm finetune` (CPU, tiny models) are
// killed with SIGKILL again and again — at random moments, and inside checkpoint writes through the
// CODESSM_FAULT_KILL_WRITE hook of core/io.cpp (an empty temp file, half a block written, written but not
// renamed, just renamed) — and resumed each time. After every kill, every checkpoint a reader would take is
// complete and loads; at the end, weights, optimizer state, train state and metrics equal those of an
// uninterrupted run bit for bit.
//
// CODESSM_KILL_RESUME_KILLS (default 4) kills per command; CODESSM_KILL_RESUME_SEED fixes the random draws
// (printed on every run, to replay a failure). The recorded run of docs/reliability.md used 25.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <torch/torch.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "codessm/core/io.h"
#include "codessm/model/checkpoint.h"
#include "codessm/train/run_checkpoints.h"
#include "optimizer_archive.h"
#include "test_utils.h"

extern char** environ;

namespace codessm {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

int env_int(const char* name, int dflt) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : dflt;
}

/// Runs `codessm ARGS`; with `kill_after_ms` >= 0 sends SIGKILL after that long (unless it ended first);
/// `fault` sets CODESSM_FAULT_KILL_WRITE. Returns the wait status; the output goes to `log`.
int run_codessm(const std::vector<std::string>& args, int kill_after_ms, const std::string& fault, const fs::path& log) {
  std::vector<std::string> argv_s = {test::codessm_binary().string()};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e)
    if (std::string(*e).rfind("CODESSM_FAULT_KILL_WRITE=", 0) != 0) env_s.emplace_back(*e);
  if (!fault.empty()) env_s.push_back("CODESSM_FAULT_KILL_WRITE=" + fault);
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return -1;
  int status = 0;
  if (kill_after_ms >= 0) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(kill_after_ms);
    while (Clock::now() < deadline) {
      if (::waitpid(pid, &status, WNOHANG) == pid) return status;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ::kill(pid, SIGKILL);
  }
  ::waitpid(pid, &status, 0);
  return status;
}

bool killed(int status) { return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL; }

/// Every checkpoint a reader would take (list_checkpoints, best/) is complete: config and weights load, the
/// optimizer archive reads, the train state parses, and no temporary file sits inside it.
void expect_readable_checkpoints(const fs::path& run, const std::string& when) {
  std::vector<fs::path> ckpts = train::list_checkpoints(run);
  for (const auto& c : ckpts) {
    SCOPED_TRACE(when + ": " + c.string());
    EXPECT_NO_THROW(model::load_pretrained(c));
    EXPECT_NO_THROW(train::read_train_state(c));
    torch::serialize::InputArchive a;
    EXPECT_NO_THROW(a.load_from((c / train::kOptimizerFile).string()));
    for (const auto& e : fs::directory_iterator(c))
      EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
  }
  if (fs::exists(run / "best" / "config.json")) {
    SCOPED_TRACE(when + ": best/");
    EXPECT_NO_THROW(model::load_pretrained(run / "best"));
  }
}

/// metrics.jsonl without the wall-clock fields (tokens/s depends on the machine's load, not on the run).
std::vector<json> metrics(const fs::path& run) {
  std::vector<json> out;
  std::istringstream in(core::read_file(run / "metrics.jsonl"));
  for (std::string line; std::getline(in, line);) {
    auto j = json::parse(line);
    for (const char* k : {"tokens_per_s", "seconds", "examples_per_s"}) j.erase(k);
    out.push_back(j);
  }
  return out;
}

struct KillStats {
  int random_kills = 0, write_kills = 0, resumes = 0, finished_early = 0;
};

/// Runs `args` (plus --out RUN) to the end, killing it `kills` times; the first start is fresh, each later one
/// resumes when a checkpoint exists. `ref_ms` is an uninterrupted run's duration for `steps` steps.
KillStats run_under_fire(const std::vector<std::string>& args, const fs::path& run, int kills, int ref_ms, int64_t steps,
                         std::mt19937_64& rng) {
  KillStats st;
  const fs::path log = run.string() + ".log";
  for (int attempt = 0;; ++attempt) {
    std::vector<std::string> a = args;
    a.insert(a.end(), {"--out", run.string()});
    const auto ckpts = train::list_checkpoints(run);
    if (!ckpts.empty()) {
      a.push_back("--resume");
      ++st.resumes;
    }
    // Draws scaled to what is left, so that most kills land before the end: the kill moment over the remaining
    // run time (start-up included), the write over the remaining writes (run_config.json or the metrics rewrite,
    // then config.json, weights, optimizer state and train_state.json per checkpoint; best/ may add some).
    const int64_t left = steps - (ckpts.empty() ? 0 : train::read_train_state(ckpts.back()).step);
    const int64_t window_ms = std::max<int64_t>(1, ref_ms * (left + 2) / (steps + 2));
    const int64_t writes = 1 + 4 * left;
    const int done = st.random_kills + st.write_kills;
    int status;
    std::string what;
    if (done >= kills) {
      status = run_codessm(a, -1, "", log);
      what = "final run";
    } else if (rng() % 2 == 0) {
      const int ms = static_cast<int>(rng() % static_cast<uint64_t>(window_ms));
      status = run_codessm(a, ms, "", log);
      what = "random kill after " + std::to_string(ms) + " ms";
      if (killed(status)) ++st.random_kills;
    } else {
      static const char* stages[] = {"open", "half", "commit", "renamed"};
      const std::string fault = std::to_string(1 + rng() % static_cast<uint64_t>(writes)) + ":" + stages[rng() % 4];
      status = run_codessm(a, -1, fault, log);
      what = "kill in write " + fault;
      if (killed(status)) ++st.write_kills;
    }
    if (!killed(status)) {
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
          << what << ": status " << status << "\n" << core::read_file(log);
      if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) return st;
      if (done >= kills) return st;
      ++st.finished_early;  // the kill came after the end: start over in a fresh folder
      core::remove_tree(run);
      continue;
    }
    expect_readable_checkpoints(run, what);
    if (::testing::Test::HasFailure()) return st;
    if (attempt > 20 * kills + 20) {
      ADD_FAILURE() << "no progress after " << attempt << " attempts";
      return st;
    }
  }
}

/// Bit-for-bit equality of two finished runs: final weights (file bytes), optimizer state and RNG (every tensor),
/// train state, metrics.
void expect_same_run(const fs::path& ref, const fs::path& run, int64_t steps) {
  const auto last = train::checkpoint_dir(ref, steps), last2 = train::checkpoint_dir(run, steps);
  ASSERT_TRUE(fs::exists(last2)) << last2;
  EXPECT_TRUE(core::read_file(last / "model.safetensors") == core::read_file(last2 / "model.safetensors"))
      << "final weights differ";
  const auto oa = test::read_optimizer_archive(last / train::kOptimizerFile);
  const auto ob = test::read_optimizer_archive(last2 / train::kOptimizerFile);
  EXPECT_EQ(oa.values, ob.values);
  ASSERT_EQ(oa.tensors.size(), ob.tensors.size());
  EXPECT_GT(oa.tensors.size(), 10u) << "the optimizer archive should hold the moments of every parameter";
  for (const auto& [path, t] : oa.tensors) {
    ASSERT_TRUE(ob.tensors.count(path)) << path;
    EXPECT_TRUE(torch::equal(t, ob.tensors.at(path))) << "optimizer state " << path << " differs";
  }
  EXPECT_EQ(train::read_train_state(last).to_json(), train::read_train_state(last2).to_json());
  EXPECT_EQ(metrics(ref), metrics(run));
  if (fs::exists(ref / "best" / "model.safetensors")) {
    EXPECT_TRUE(core::read_file(ref / "best" / "model.safetensors") == core::read_file(run / "best" / "model.safetensors"))
        << "best/ weights differ";
  }
}

struct KillResume : ::testing::Test {
  static void SetUpTestSuite() {
    if (!fs::exists(test::codessm_binary())) return;
    dir = test::temp_dir("kill_resume");
    const fs::path src = fs::is_directory("/usr/lib/python3.11/json") ? "/usr/lib/python3.11/json"
                                                                      : test::source_dir() / "src" / "model";
    test::run_codessm_ok("tokenizer train --input " + src.string() + " --out " + (dir / "tok").string() +
                         " --vocab-size 400 --sentinels 0 --threads 2");
    test::run_codessm_ok("tokenizer shard --tokenizer " + (dir / "tok").string() + " --input " + src.string() +
                         " --out " + (dir / "shards").string());
    // Devign-format classification lines (target = length parity: arbitrary but fixed).
    std::string train, test_set;
    int i = 0;
    for (auto& e : fs::directory_iterator(src)) {
      std::istringstream in(core::read_file(e.path()));
      for (std::string l; std::getline(in, l) && i < 60;) {
        if (l.size() < 20 || l.size() > 80) continue;
        (i < 40 ? train : test_set) += json{{"func", l}, {"target", static_cast<int>(l.size() % 2)}, {"idx", i}}.dump() + "\n";
        ++i;
      }
    }
    core::write_file_atomic(dir / "train.jsonl", train);
    core::write_file_atomic(dir / "test.jsonl", test_set);
  }
  void SetUp() override {
    if (!fs::exists(test::codessm_binary())) GTEST_SKIP() << "codessm executable not built";
    seed = static_cast<uint64_t>(env_int("CODESSM_KILL_RESUME_SEED", static_cast<int>(std::random_device{}() & 0x7fffffff)));
    kills = env_int("CODESSM_KILL_RESUME_KILLS", 4);
    std::printf("[kill/resume] seed %llu, %d kills (CODESSM_KILL_RESUME_SEED / _KILLS)\n",
                static_cast<unsigned long long>(seed), kills);
  }

  /// The reference run and the run under fire of `args`; prints the figures docs/reliability.md records.
  void check(const std::string& name, const std::vector<std::string>& args, int64_t steps) {
    std::mt19937_64 rng(seed);
    const fs::path ref = dir / (name + "_ref"), run = dir / (name + "_fire");
    core::remove_tree(ref);
    core::remove_tree(run);
    const auto t0 = Clock::now();
    std::vector<std::string> a = args;
    a.insert(a.end(), {"--out", ref.string()});
    ASSERT_EQ(run_codessm(a, -1, "", ref.string() + ".log"), 0) << core::read_file(ref.string() + ".log");
    const int ref_ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count());
    const auto st = run_under_fire(args, run, kills, ref_ms, steps, rng);
    std::printf("[kill/resume] %s: %d kills (%d at random moments, %d inside file writes), %d resumes, %d runs "
                "that ended before their kill; reference run %d ms\n",
                name.c_str(), st.random_kills + st.write_kills, st.random_kills, st.write_kills, st.resumes,
                st.finished_early, ref_ms);
    ASSERT_FALSE(HasFailure());
    EXPECT_GE(st.random_kills + st.write_kills, kills);
    expect_same_run(ref, run, steps);
  }

  static fs::path dir;
  uint64_t seed = 0;
  int kills = 4;
};
fs::path KillResume::dir;

TEST_F(KillResume, PretrainEndsBitIdenticalAfterRepeatedKills) {
  const int64_t steps = 12;
  check("pretrain",
        {"pretrain", "--no-progress", "--threads", "1", "--set", "model=codessm-tiny", "--set",
         "tokenizer=" + (dir / "tok").string(), "--set", "train_shards=" + (dir / "shards").string(), "--set",
         "context_length=64", "--set", "batch_size=4", "--set", "max_steps=" + std::to_string(steps), "--set",
         "warmup_steps=2", "--set", "eval_every=0", "--set", "log_every=1", "--set", "save_every=1", "--set",
         "keep_last=2", "--set", "spectral_monitor=false", "--set", "device=cpu"},
        steps);
}

TEST_F(KillResume, FinetuneEndsBitIdenticalAfterRepeatedKills) {
  const int64_t steps = 10;
  check("finetune",
        {"finetune", "--task", "classification", "--no-progress", "--threads", "1", "--set", "model=codessm-tiny",
         "--set", "tokenizer=" + (dir / "tok").string(), "--set", "dataset=devign", "--set",
         "train_data=" + (dir / "train.jsonl").string(), "--set", "eval_data=" + (dir / "test.jsonl").string(),
         "--set", "max_length=64", "--set", "batch_size=8", "--set", "max_steps=" + std::to_string(steps), "--set",
         "warmup_steps=1", "--set", "eval_every=3", "--set", "log_every=1", "--set", "save_every=1", "--set",
         "keep_last=2", "--set", "device=cpu"},
        steps);
}

}  // namespace
}  // namespace codessm
