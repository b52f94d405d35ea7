#include "tasq/results/stream_key.h"

namespace tasq::results {

StreamKey classify_key(std::string_view key) {
  if (key == kFinishedKey) return {StreamKey::Kind::finished, 0};
  if (key == kDeadKey) return {StreamKey::Kind::dead, 0};
  if (!key.starts_with(kResultPrefix)) return {};
  const std::string_view digits = key.substr(kResultPrefix.size());
  if (digits.empty() || digits.size() > 20 || digits[0] == '0') return {};
  std::uint64_t id = 0;
  for (char ch : digits) {
    if (ch < '0' || ch > '9') return {};
    const auto digit = static_cast<std::uint64_t>(ch - '0');
    if (id > (UINT64_MAX - digit) / 10) return {};
    id = id * 10 + digit;
  }
  return {StreamKey::Kind::result, id};
}

}  // namespace tasq::results
