// SHA-256 through OpenSSL's EVP interface (sha256.h).
#include "codessm/corpus/sha256.h"

#include <openssl/evp.h>

#include "codessm/core/error.h"

namespace codessm::corpus {

struct Sha256::Ctx {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  ~Ctx() { EVP_MD_CTX_free(md); }
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) {
  CODESSM_CHECK(ctx_->md != nullptr && EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr) == 1,
                "OpenSSL could not start a SHA-256 digest");
}

Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(std::string_view data) {
  CODESSM_CHECK(EVP_DigestUpdate(ctx_->md, data.data(), data.size()) == 1, "OpenSSL SHA-256 update failed");
}

std::array<uint8_t, 32> Sha256::digest() {
  std::array<uint8_t, 32> out{};
  unsigned int n = 0;
  CODESSM_CHECK(EVP_DigestFinal_ex(ctx_->md, out.data(), &n) == 1 && n == out.size(), "OpenSSL SHA-256 final failed");
  return out;
}

std::string Sha256::hex() {
  static const char* kHex = "0123456789abcdef";
  std::string s;
  s.reserve(64);
  for (uint8_t b : digest()) {
    s.push_back(kHex[b >> 4]);
    s.push_back(kHex[b & 15]);
  }
  return s;
}

std::string sha256_hex(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.hex();
}

}  // namespace codessm::corpus
