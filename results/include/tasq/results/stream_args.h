#pragma once
// The arguments of XREAD, XRANGE and XREVRANGE, checked in Redis's order
// with Redis's error texts, so that a client sees the same error from tasq
// as from Redis for the same command line.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tasq/results/stream_id.h"

namespace tasq::results {

/// Where an XREAD starts on one stream: after `id`, or after the stream's
/// last entry (`$`), resolved when the command runs.
struct ReadFrom {
  StreamId id;
  bool last = false;
};

struct XreadArgs {
  std::uint64_t count = 0;                 ///< entries per stream; 0 = no limit
  std::optional<std::int64_t> block_ms;    ///< none: answer at once; 0: wait for ever
  std::span<const std::string_view> keys;  ///< views into the command's arguments
  std::vector<ReadFrom> from;              ///< one per key
};

struct XrangeArgs {
  std::string_view key;
  StreamId start;
  StreamId end;
  /// nullopt: no COUNT; 0: COUNT 0 or negative (Redis answers a null array
  /// for a stream that exists).
  std::optional<std::uint64_t> count;
};

/// A parse either yields the request or the error line to reply with
/// (without the leading "-").
template <typename T>
using ParseResult = std::variant<T, std::string>;

/// `args` is the whole command, its name included (arity already checked).
ParseResult<XreadArgs> parse_xread(std::span<const std::string_view> args);
/// XRANGE key start end [COUNT n]; with `reverse`, XREVRANGE key end start.
ParseResult<XrangeArgs> parse_xrange(std::span<const std::string_view> args, bool reverse);

}  // namespace tasq::results
