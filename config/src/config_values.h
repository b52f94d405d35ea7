#pragma once
// Text <-> value conversions shared by the directive adapters, validate()
// and the tests. Each parser accepts exactly one spelling per value and
// rejects the rest (no sign, no spaces, no wrap-around), so a typo is an
// error.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tasq/config/config.h"

namespace tasq::config::detail {

/// The spellings of each enum's values, in the enum's order (any case is
/// accepted when read).
inline constexpr std::array<std::string_view, 4> kLogLevelNames{"debug", "info", "warn", "error"};
inline constexpr std::array<std::string_view, 3> kJournalFsyncNames{"always", "everysec", "no"};
inline constexpr std::array<std::string_view, 2> kDispatchModeNames{"preemptive", "key"};
inline constexpr std::array<std::string_view, 2> kWorkerSchedPolicyNames{"batch", "normal"};

/// Case-insensitive ASCII equality.
bool iequals(std::string_view a, std::string_view b);
/// A non-negative decimal integer without sign or spaces; nullopt otherwise
/// or past 2^64 - 1.
std::optional<std::uint64_t> parse_count(std::string_view text);
/// `yes` or `no`, any case (as redis.conf).
std::optional<bool> parse_yes_no(std::string_view text);
std::string_view yes_no(bool value);
/// The shortest exact spelling: 65536 -> "64k", 3 << 30 -> "3g", 1000 -> "1000".
std::string format_size(std::uint64_t bytes);

}  // namespace tasq::config::detail
