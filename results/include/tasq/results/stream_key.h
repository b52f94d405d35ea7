#pragma once
// The keys tasq answers stream commands on. Every other key reads as a
// stream that does not exist.

#include <cstdint>
#include <string_view>

namespace tasq::results {

inline constexpr std::string_view kResultPrefix = "tasq:result:";
inline constexpr std::string_view kFinishedKey = "tasq:finished";
inline constexpr std::string_view kDeadKey = "tasq:dead";

struct StreamKey {
  enum class Kind : std::uint8_t { none, result, finished, dead } kind = Kind::none;
  std::uint64_t task_id = 0;  ///< for Kind::result
};

/// `tasq:result:<ID>` with ID a positive decimal without leading zeros (one
/// key per task, as Redis keys are exact bytes), `tasq:finished`,
/// `tasq:dead`, or none.
StreamKey classify_key(std::string_view key);

}  // namespace tasq::results
