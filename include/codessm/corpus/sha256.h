// SHA-256 (FIPS 180-4), for content hashes in corpus files and manifests. Written here rather than
// linking OpenSSL, which is absent on the GPU machine and not among the project's dependencies.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace codessm::corpus {

/// Incremental SHA-256.
class Sha256 {
 public:
  Sha256();
  void update(std::string_view data);
  /// The 32-byte digest; the object must not be updated afterwards.
  std::array<uint8_t, 32> digest();
  /// The digest as 64 lower-case hex characters.
  std::string hex();

 private:
  void block(const uint8_t* p);
  std::array<uint32_t, 8> h_;
  std::array<uint8_t, 64> buf_{};
  size_t buf_len_ = 0;
  uint64_t total_ = 0;
};

/// Hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

}  // namespace codessm::corpus
