// SHA-256 (FIPS 180-4) for content hashes in corpus files and manifests, over OpenSSL's libcrypto (EVP), the
// well-kept implementation Debian ships (libssl-dev). The corpus module is built only where tree-sitter is,
// i.e. not on the GPU machine, so libcrypto is needed only on the Debian machines.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace codessm::corpus {

/// Incremental SHA-256.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  void update(std::string_view data);
  /// The 32-byte digest; the object must not be updated afterwards.
  std::array<uint8_t, 32> digest();
  /// The digest as 64 lower-case hex characters.
  std::string hex();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

/// Hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

}  // namespace codessm::corpus
