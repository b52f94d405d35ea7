#pragma once
// A secret a peer must show (requirepass, the admin token), kept as its
// SHA-256 digest and checked digest against digest, as Redis's ACL checks
// passwords: how long a check takes depends on the length of what was
// given, never on the secret's bytes nor on its length.

#include <array>
#include <string>
#include <string_view>

namespace tasq::access {

class Secret {
 public:
  /// No secret: empty() is true and matches() is false for everything.
  Secret() = default;
  explicit Secret(std::string_view value);

  [[nodiscard]] bool empty() const { return !set_; }
  /// True when `given` is the secret. Constant time in the secret.
  [[nodiscard]] bool matches(std::string_view given) const;

 private:
  std::array<unsigned char, 32> digest_{};
  bool set_ = false;
};

/// A fresh token for the admin port: 32 bytes from getrandom(2) as 64
/// lower-case hex digits. Throws std::system_error naming getrandom when
/// the kernel gives none.
std::string random_token();

}  // namespace tasq::access
