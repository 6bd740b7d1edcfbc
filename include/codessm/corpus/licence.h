// Where a source tree comes from and under which licence, for the corpus manifest: the Debian
// package that installed it (and the License: field of its machine-readable copyright file), an
// npm package.json, or a LICENSE/COPYING file at the root.
#pragma once

#include <filesystem>
#include <string>

namespace codessm::corpus {

/// Provenance of one source root. Empty strings mean "not found".
struct SourceLicence {
  std::string debian_package;   ///< e.g. "libpython3.11-stdlib"
  std::string licence;          ///< e.g. "PSF-2" (Debian), "MIT" (npm)
  std::string licence_file;     ///< the copyright/LICENSE file the licence was read from
  std::string npm_package;      ///< "name@version" from package.json
};

/// Looks the root up: Debian's dpkg file lists (`dpkg_info_dir`), the package's copyright file
/// under `doc_dir`, then package.json and LICENSE files in the root.
SourceLicence find_licence(const std::filesystem::path& root,
                           const std::filesystem::path& dpkg_info_dir = "/var/lib/dpkg/info",
                           const std::filesystem::path& doc_dir = "/usr/share/doc");

/// The licence of a DEP-5 copyright file: the License: field of the `Files: *` paragraph (else
/// the first License: field). Empty when the file is not machine-readable.
std::string dep5_licence(const std::string& copyright_text);

}  // namespace codessm::corpus
