// Checks that decide whether a file's bytes are text the parser should see.
#pragma once

#include <string_view>

namespace codessm::corpus {

/// Why a file's content is rejected, or kOk.
enum class ContentIssue { kOk, kEmpty, kBinary, kInvalidUtf8 };

/// Strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF), as RFC 3629 defines it.
bool is_valid_utf8(std::string_view s);

/// kBinary when a NUL byte occurs (the test git and grep use), kInvalidUtf8 when not UTF-8.
ContentIssue check_content(std::string_view bytes);

}  // namespace codessm::corpus
