// Finds the type annotations of a TypeScript/TSX or Python syntax tree: the byte spans to strip (each
// annotation with its ':' or '->', plus TypeScript casts and explicit type arguments) and the declaration
// sites to label. Private to the corpus module; type_dataset.cpp does the stripping and labelling, and
// docs/parse.md §"Type-inference dataset builder" lists the rules.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "codessm/parse/syntax_tree.h"

namespace codessm::corpus::detail {

/// A half-open byte span [start, end) of the original source to remove.
struct StripSpan {
  uint32_t start = 0, end = 0;
};

/// One annotation and the identifier it types.
struct TypeSite {
  StripSpan span;          ///< the annotation, ':'/'->' (and a definite-assignment '!') included
  std::string kind;        ///< "parameter", "variable", "property", "return"
  std::string type;        ///< the annotation's type text, whitespace-normalised
  int32_t name_node = -1;  ///< the identifier leaf to label; -1 when there is none (destructuring,
                           ///< anonymous functions, `this` parameters)
};

/// The result of scan_type_annotations().
struct AnnotationScan {
  std::vector<TypeSite> sites;                 ///< in pre-order; nested annotations (inside a stripped type) included
  std::vector<StripSpan> leaks;                ///< casts and type arguments to strip (TypeScript, when asked)
  std::map<std::string, uint64_t> leak_kinds;  ///< "cast", "type_arguments" -> count
  /// Annotations left in place because stripping them would break the syntax (index signatures,
  /// call/construct signatures), by parent node type.
  std::map<std::string, uint64_t> kept;
};

/// Scans `tree` (TypeScript, TSX or Python). `strip_leaks` adds TypeScript `as`/`satisfies` casts,
/// `<T>x` assertions and the type arguments of calls and `new` to `leaks`.
AnnotationScan scan_type_annotations(const parse::SyntaxTree& tree, bool strip_leaks);

/// `text` with every run of whitespace turned into one space and the ends trimmed.
std::string normalise_whitespace(std::string_view text);

}  // namespace codessm::corpus::detail
