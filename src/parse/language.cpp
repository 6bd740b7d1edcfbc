// Language names and detection by file extension.
#include "codessm/parse/language.h"

#include <array>
#include <string>

namespace codessm::parse {

namespace {

struct LangName {
  Language lang;
  std::string_view name;
};
constexpr std::array<LangName, 8> kNames{{{Language::kPython, "python"},
                                          {Language::kJava, "java"},
                                          {Language::kJavaScript, "javascript"},
                                          {Language::kTypeScript, "typescript"},
                                          {Language::kTsx, "tsx"},
                                          {Language::kGo, "go"},
                                          {Language::kRuby, "ruby"},
                                          {Language::kPhp, "php"}}};

struct Alias {
  std::string_view alias;
  Language lang;
};
constexpr std::array<Alias, 5> kAliases{{{"py", Language::kPython},
                                         {"js", Language::kJavaScript},
                                         {"ts", Language::kTypeScript},
                                         {"rb", Language::kRuby},
                                         {"golang", Language::kGo}}};

struct Extension {
  std::string_view ext;
  Language lang;
};
constexpr std::array<Extension, 14> kExtensions{{{".py", Language::kPython},
                                                 {".pyi", Language::kPython},
                                                 {".java", Language::kJava},
                                                 {".js", Language::kJavaScript},
                                                 {".mjs", Language::kJavaScript},
                                                 {".cjs", Language::kJavaScript},
                                                 {".jsx", Language::kJavaScript},
                                                 {".ts", Language::kTypeScript},
                                                 {".mts", Language::kTypeScript},
                                                 {".cts", Language::kTypeScript},
                                                 {".tsx", Language::kTsx},
                                                 {".go", Language::kGo},
                                                 {".rb", Language::kRuby},
                                                 {".php", Language::kPhp}}};

}  // namespace

const std::vector<Language>& all_languages() {
  static const std::vector<Language> all = [] {
    std::vector<Language> v;
    for (const auto& n : kNames) v.push_back(n.lang);
    return v;
  }();
  return all;
}

std::string_view language_name(Language lang) {
  for (const auto& n : kNames)
    if (n.lang == lang) return n.name;
  return "unknown";
}

std::optional<Language> language_from_name(std::string_view name) {
  for (const auto& n : kNames)
    if (n.name == name) return n.lang;
  for (const auto& a : kAliases)
    if (a.alias == name) return a.lang;
  return std::nullopt;
}

std::optional<Language> language_from_path(const std::filesystem::path& path) {
  const std::string ext = path.extension().string();
  for (const auto& e : kExtensions)
    if (e.ext == ext) return e.lang;
  return std::nullopt;
}

}  // namespace codessm::parse
