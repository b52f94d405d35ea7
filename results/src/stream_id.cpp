#include "tasq/results/stream_id.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace tasq::results {
namespace {

// Redis's string2ll bound: 20 digits and a sign at most.
constexpr std::size_t kLongStrSize = 21;
// Redis copies an id argument into a 128-byte buffer; a longer one is invalid.
constexpr std::size_t kIdBuffer = 128;

// Redis's string2ull: string2ll first (rejecting negatives), then strtoull,
// which also takes leading blanks, a sign and leading zeros. `text` holds no
// NUL byte; the copy gives strtoull its terminator.
std::optional<std::uint64_t> parse_u64(std::string_view text) {
  if (auto strict = parse_strict_int(text)) {
    if (*strict < 0) return std::nullopt;
    return static_cast<std::uint64_t>(*strict);
  }
  if (text.empty()) return std::nullopt;
  const std::string copy(text);
  char* end = nullptr;
  errno = 0;
  const unsigned long long value = std::strtoull(copy.c_str(), &end, 10);
  if (errno == EINVAL || errno == ERANGE || *end != '\0') return std::nullopt;
  return value;
}

}  // namespace

std::string StreamId::text() const { return std::to_string(ms) + "-" + std::to_string(seq); }

std::optional<StreamId> next_id(StreamId id) {
  if (id.seq != UINT64_MAX) return StreamId{id.ms, id.seq + 1};
  if (id.ms == UINT64_MAX) return std::nullopt;
  return StreamId{id.ms + 1, 0};
}

std::optional<StreamId> previous_id(StreamId id) {
  if (id.seq != 0) return StreamId{id.ms, id.seq - 1};
  if (id.ms == 0) return std::nullopt;
  return StreamId{id.ms - 1, UINT64_MAX};
}

std::string_view c_string(std::string_view arg) {
  const auto nul = arg.find('\0');
  return nul == std::string_view::npos ? arg : arg.substr(0, nul);
}

std::optional<std::int64_t> parse_strict_int(std::string_view s) {
  if (s.empty() || s.size() >= kLongStrSize) return std::nullopt;
  if (s == "0") return 0;
  std::size_t at = 0;
  const bool negative = s[0] == '-';
  if (negative && ++at == s.size()) return std::nullopt;
  if (s[at] < '1' || s[at] > '9') return std::nullopt;
  std::uint64_t v = 0;
  for (; at < s.size(); ++at) {
    const char ch = s[at];
    if (ch < '0' || ch > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(ch - '0');
    if (v > UINT64_MAX / 10 || v * 10 > UINT64_MAX - digit) return std::nullopt;
    v = v * 10 + digit;
  }
  constexpr auto kMax = static_cast<std::uint64_t>(INT64_MAX);
  if (negative) {
    if (v > kMax + 1) return std::nullopt;
    return v == kMax + 1 ? INT64_MIN : -static_cast<std::int64_t>(v);
  }
  if (v > kMax) return std::nullopt;
  return static_cast<std::int64_t>(v);
}

std::optional<StreamId> parse_id(std::string_view text, std::uint64_t missing_seq, bool strict) {
  if (text.size() > kIdBuffer - 1) return std::nullopt;
  text = c_string(text);
  if (text == "-" || text == "+") {
    if (strict) return std::nullopt;
    return text == "-" ? StreamId{0, 0} : StreamId::max();
  }
  const auto dash = text.find('-');
  const auto ms = parse_u64(text.substr(0, dash));
  if (!ms) return std::nullopt;
  if (dash == std::string_view::npos) return StreamId{*ms, missing_seq};
  const auto seq = parse_u64(text.substr(dash + 1));
  if (!seq) return std::nullopt;
  return StreamId{*ms, *seq};
}

std::optional<IntervalBound> parse_interval_bound(std::string_view text,
                                                  std::uint64_t missing_seq) {
  if (text.size() > 1 && text[0] == '(') {
    auto id = parse_id(text.substr(1), missing_seq, true);
    if (!id) return std::nullopt;
    return IntervalBound{*id, true};
  }
  auto id = parse_id(text, missing_seq, false);
  if (!id) return std::nullopt;
  return IntervalBound{*id, false};
}

}  // namespace tasq::results
