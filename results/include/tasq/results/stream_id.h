#pragma once
// Stream entry ids (`ms-seq`) and the ways clients write them, parsed exactly
// as Redis does (t_stream.c): the same accepted forms, the same error texts.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tasq::results {

struct StreamId {
  std::uint64_t ms = 0;
  std::uint64_t seq = 0;

  auto operator<=>(const StreamId&) const = default;
  /// "ms-seq", as replies carry it.
  [[nodiscard]] std::string text() const;
  static constexpr StreamId max() { return {UINT64_MAX, UINT64_MAX}; }
};

/// The next id after `id`; nullopt past the largest (Redis's streamIncrID).
std::optional<StreamId> next_id(StreamId id);
/// The id before `id`; nullopt before 0-0 (streamDecrID).
std::optional<StreamId> previous_id(StreamId id);

/// Redis's error texts for ids and ranges (without the "-" type byte).
inline constexpr std::string_view kInvalidIdError =
    "ERR Invalid stream ID specified as stream command argument";
inline constexpr std::string_view kInvalidStartError = "ERR invalid start ID for the interval";
inline constexpr std::string_view kInvalidEndError = "ERR invalid end ID for the interval";

/// `ms-seq` or `ms` (then seq is `missing_seq`); with `strict` false, also
/// `-` (0-0) and `+` (the largest id). Numbers are read as Redis's
/// string2ull reads them. nullopt: kInvalidIdError.
std::optional<StreamId> parse_id(std::string_view text, std::uint64_t missing_seq, bool strict);

/// One end of an XRANGE interval: `-`, `+`, `ms`, `ms-seq`, or `(` before an
/// id for an exclusive end. `missing_seq` is 0 for a start and UINT64_MAX for
/// an end.
struct IntervalBound {
  StreamId id;
  bool exclusive = false;
};
std::optional<IntervalBound> parse_interval_bound(std::string_view text, std::uint64_t missing_seq);

/// Redis's string2ll: an optional `-`, then digits without a leading zero
/// (or `0` alone), within int64. What COUNT and BLOCK accept.
std::optional<std::int64_t> parse_strict_int(std::string_view text);

/// The part of a client's argument that Redis's C-string code sees: up to
/// the first NUL byte.
std::string_view c_string(std::string_view arg);

}  // namespace tasq::results
