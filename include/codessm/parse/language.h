// The programming languages the parse module knows, their names and file extensions.
// Names are CodeSearchNet's ("python", "java", "javascript", "go", "ruby", "php") plus
// "typescript" and "tsx" (tree-sitter-typescript ships the two as separate grammars).
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

namespace codessm::parse {

/// A language with a tree-sitter grammar built into codessm. The enum order is part of no file
/// format (names are written instead), so it may change.
enum class Language { kPython, kJava, kJavaScript, kTypeScript, kTsx, kGo, kRuby, kPhp };

/// Every supported language, in enum order.
const std::vector<Language>& all_languages();

/// Lower-case name as written in corpus files ("python", "java", ...).
std::string_view language_name(Language lang);

/// Inverse of language_name(); also accepts "py", "js", "ts", "rb", "golang". Empty when unknown.
std::optional<Language> language_from_name(std::string_view name);

/// Language from the file extension (case-sensitive, as on Linux): .py .pyi .java .js .mjs .cjs
/// .jsx .ts .mts .cts .tsx .go .rb .php. `.d.ts` declaration files count as TypeScript. Empty when
/// the extension is unknown.
std::optional<Language> language_from_path(const std::filesystem::path& path);

}  // namespace codessm::parse
