// codessm_fuzz_replay TARGET INPUT...: runs a fuzz target (fuzz_target.h) on every file of the folders or
// files given, in an ordinary build. CTest uses it to replay the seed corpora and every crash ever found
// (fuzz/regressions/<target>/), so a fixed crash stays fixed without clang in the loop. `--list` prints the
// targets.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_target.h"

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  auto& reg = codessm::fuzz::registry();
  if (argc >= 2 && std::string(argv[1]) == "--list") {
    for (auto& [name, f] : reg) std::printf("%s\n", name.c_str());
    return 0;
  }
  if (argc < 2 || !reg.count(argv[1])) {
    std::fprintf(stderr, "usage: %s TARGET INPUT... (or --list)\n", argv[0]);
    return 2;
  }
  const auto& target = reg.at(argv[1]);
  std::vector<fs::path> files;
  for (int i = 2; i < argc; ++i) {
    const fs::path p = argv[i];
    if (fs::is_directory(p)) {
      for (const auto& e : fs::recursive_directory_iterator(p))
        if (e.is_regular_file()) files.push_back(e.path());
    } else if (fs::exists(p)) {
      files.push_back(p);
    }  // an absent folder (a target without regressions yet) is not an error
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    target(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("%s: replayed %zu inputs\n", argv[1], files.size());
  return 0;
}
