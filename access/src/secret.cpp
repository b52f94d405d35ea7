#include "tasq/access/secret.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/random.h>

#include <cerrno>
#include <system_error>

namespace tasq::access {
namespace {

using Digest = std::array<unsigned char, 32>;

bool sha256(std::string_view data, Digest& out) {
  unsigned int length = 0;
  return EVP_Digest(data.data(), data.size(), out.data(), &length, EVP_sha256(), nullptr) == 1 &&
         length == out.size();
}

}  // namespace

Secret::Secret(std::string_view value) {
  // A digest that cannot be made leaves the secret set but matching
  // nothing: refusing everyone is the safe failure.
  set_ = true;
  if (!sha256(value, digest_)) digest_.fill(0);
}

bool Secret::matches(std::string_view given) const {
  if (!set_) return false;
  Digest digest{};
  if (!sha256(given, digest)) return false;
  // Two digests of one fixed size, compared without an early exit.
  return CRYPTO_memcmp(digest.data(), digest_.data(), digest.size()) == 0;
}

std::string random_token() {
  unsigned char bytes[32];
  std::size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::system_category(), "getrandom (the admin token)");
    }
    got += static_cast<std::size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  token.reserve(2 * sizeof bytes);
  for (unsigned char byte : bytes) {
    token += kHex[byte >> 4];
    token += kHex[byte & 0xf];
  }
  return token;
}

}  // namespace tasq::access
