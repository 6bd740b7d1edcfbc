// Running gnuplot on written figure scripts. Rendering is best effort by design: figures are a view of
// the JSON results, so a missing or failing gnuplot is a warning, never an error.
#include <fmt/format.h>
#include "codessm/core/logging.h"
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <sstream>

#include "codessm/report/figure.h"

namespace codessm::report {

namespace {

/// Single-quoted for /bin/sh ('…' with embedded ' written as '\'').
std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

/// Scripts per gnuplot process: bounds the command-line length while keeping process starts few.
constexpr size_t kScriptsPerProcess = 100;

}  // namespace

std::string find_gnuplot() {
  if (const char* env = std::getenv("CODESSM_GNUPLOT")) {
    std::string v = env;
    if (v.empty() || v == "none") return "";
    return ::access(v.c_str(), X_OK) == 0 ? v : "";
  }
  const char* path = std::getenv("PATH");
  std::stringstream ss(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    if (dir.empty()) continue;
    auto p = fs::path(dir) / "gnuplot";
    if (::access(p.c_str(), X_OK) == 0) return p.string();
  }
  return "";
}

RenderResult render_figures(const std::vector<FigureFiles>& figures) {
  RenderResult r;
  if (figures.empty()) return r;
  const std::string gnuplot = find_gnuplot();
  r.gnuplot_found = !gnuplot.empty();
  if (!r.gnuplot_found) {
    r.message = fmt::format(
        "gnuplot not found (install gnuplot-nox, or set CODESSM_GNUPLOT): kept {} figure script(s) and data; "
        "run `gnuplot <name>.gp` in {} to draw them",
        figures.size(), figures.front().script.parent_path().string());
    spdlog::warn("{}", r.message);
    return r;
  }
  // Scripts name their data and outputs relative to their own folder, so gnuplot runs inside each folder.
  std::map<fs::path, std::vector<const FigureFiles*>> by_dir;
  for (auto& f : figures) by_dir[f.script.parent_path()].push_back(&f);
  for (auto& [rel_dir, figs] : by_dir) {
    // The command `cd`s into the folder first, so every path in it must not depend on the current folder: a
    // relative --out made gnuplot write its log to (and look for nothing in) a path relative to the figures.
    const fs::path dir = fs::absolute(rel_dir);
    r.log = dir / "gnuplot.log";
    std::error_code ec;
    fs::remove(r.log, ec);
    auto drawn = [](const FigureFiles* f) { return fs::exists(f->svg) && fs::exists(f->png) && fs::file_size(f->png) > 0; };
    auto run = [&](size_t b, size_t e) {
      std::string cmd = "cd " + shell_quote(dir.string()) + " && " + shell_quote(gnuplot);
      for (size_t j = b; j < e; ++j) cmd += " " + shell_quote(figs[j]->script.filename().string());
      cmd += " >> " + shell_quote(r.log.string()) + " 2>&1";
      return std::system(cmd.c_str());
    };
    for (auto* f : figs) {  // stale images from an earlier run must not count as drawn
      fs::remove(f->svg, ec);
      fs::remove(f->png, ec);
    }
    for (size_t i = 0; i < figs.size(); i += kScriptsPerProcess) {
      const size_t e = std::min(figs.size(), i + kScriptsPerProcess);
      if (run(i, e) == 0) continue;
      // gnuplot stops at the first failing script of a batch: redo the rest one by one.
      for (size_t j = i; j < e; ++j)
        if (!drawn(figs[j])) run(j, j + 1);
    }
    for (auto* f : figs) {
      if (drawn(f)) ++r.rendered;
      else ++r.failed;
    }
  }
  if (r.failed > 0) {
    r.message = fmt::format("gnuplot drew {} of {} figures; see {}", r.rendered, figures.size(), r.log.string());
    spdlog::warn("{}", r.message);
  }
  return r;
}

}  // namespace codessm::report
