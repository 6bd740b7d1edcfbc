// Provenance lookup: Debian's dpkg file lists and DEP-5 copyright files, npm package.json,
// LICENSE files.
#include "codessm/corpus/licence.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

namespace codessm::corpus {

namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// The package that installed the most files under `root` (several packages share folders such as
// /usr/lib/python3.11; the one with most files is the tree's main source).
std::string owning_package(const fs::path& root, const fs::path& info_dir) {
  std::error_code ec;
  if (!fs::is_directory(info_dir, ec)) return "";
  const std::string prefix = root.lexically_normal().string() + "/";
  std::vector<fs::path> lists;
  for (const auto& e : fs::directory_iterator(info_dir, ec))
    if (e.path().extension() == ".list") lists.push_back(e.path());
  std::sort(lists.begin(), lists.end());
  std::string best;
  size_t best_count = 0;
  for (const auto& l : lists) {
    std::ifstream in(l);
    std::string line;
    size_t count = 0;
    while (std::getline(in, line))
      if (line.compare(0, prefix.size(), prefix) == 0) ++count;
    if (count > best_count) {
      best_count = count;
      best = l.stem().string();
    }
  }
  const auto colon = best.find(':');  // "libfoo:amd64"
  return colon == std::string::npos ? best : best.substr(0, colon);
}

// For copyright files that are not machine-readable: the licence whose well-known wording occurs
// first in the text (such files often append the licences of bundled code after the main one).
std::string guess_licence(const std::string& text) {
  static const std::pair<const char*, const char*> kMarkers[] = {
      {"PYTHON SOFTWARE FOUNDATION LICENSE", "PSF-2.0"},
      {"Apache License", "Apache-2.0"},
      {"GNU GENERAL PUBLIC LICENSE", "GPL"},
      {"GNU LESSER GENERAL PUBLIC LICENSE", "LGPL"},
      {"Permission is hereby granted, free of charge", "MIT"},
      {"Redistribution and use in source and binary forms", "BSD"},
      {"Mozilla Public License", "MPL-2.0"}};
  size_t best = std::string::npos;
  std::string name;
  for (const auto& [marker, id] : kMarkers) {
    const size_t at = text.find(marker);
    if (at < best) best = at, name = id;
  }
  return name.empty() ? "" : name + " (guessed from the copyright text)";
}

}  // namespace

std::string dep5_licence(const std::string& text) {
  if (text.find("Format:") == std::string::npos) return "";
  std::istringstream in(text);
  std::string line, first, in_star;
  bool star = false;
  while (std::getline(in, line)) {
    if (line.rfind("Files:", 0) == 0) star = trim(line.substr(6)) == "*";
    if (line.rfind("License:", 0) == 0) {
      const std::string lic = trim(line.substr(8));
      if (first.empty()) first = lic;
      if (star && in_star.empty()) in_star = lic;
    }
  }
  return in_star.empty() ? first : in_star;
}

SourceLicence find_licence(const fs::path& root, const fs::path& dpkg_info_dir, const fs::path& doc_dir) {
  SourceLicence out;
  std::error_code ec;
  const fs::path abs = fs::absolute(root, ec);
  out.debian_package = owning_package(abs, dpkg_info_dir);
  if (!out.debian_package.empty()) {
    const fs::path copyright = doc_dir / out.debian_package / "copyright";
    if (fs::exists(copyright, ec)) {
      out.licence_file = copyright.string();
      const std::string text = read_text(copyright);
      out.licence = dep5_licence(text);
      if (out.licence.empty()) out.licence = guess_licence(text);
    }
  }
  const fs::path pkg = root / "package.json";
  if (fs::exists(pkg, ec)) {
    auto j = nlohmann::json::parse(read_text(pkg), nullptr, /*allow_exceptions=*/false);
    if (j.is_object()) {
      out.npm_package = j.value("name", "") + "@" + j.value("version", "");
      if (out.licence.empty() && j.contains("license") && j["license"].is_string()) {
        out.licence = j["license"].get<std::string>();
        out.licence_file = pkg.string();
      }
    }
  }
  if (out.licence_file.empty()) {
    for (const char* name : {"LICENSE", "LICENSE.txt", "LICENSE.md", "LICENCE", "COPYING", "COPYRIGHT"}) {
      if (fs::exists(root / name, ec)) {
        out.licence_file = (root / name).string();
        std::istringstream in(read_text(root / name));
        std::string line;
        while (out.licence.empty() && std::getline(in, line)) out.licence = trim(line);
        break;
      }
    }
  }
  return out;
}

}  // namespace codessm::corpus
