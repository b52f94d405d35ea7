#pragma once
// Text <-> value conversions shared by the directive table, validate() and
// the tests. Each parser accepts exactly one spelling per value and rejects
// the rest (no sign, no spaces, no wrap-around), so a typo is an error.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tasq/config/config.h"

namespace tasq::config::detail {

/// A non-negative decimal integer without sign or spaces; nullopt otherwise
/// or past 2^64 - 1.
std::optional<std::uint64_t> parse_count(std::string_view text);
/// `yes` or `no`, any case (as redis.conf).
std::optional<bool> parse_yes_no(std::string_view text);
/// `debug`, `info`, `warn` or `error`, any case.
std::optional<LogLevel> parse_log_level(std::string_view text);

/// `always`, `everysec` or `no`, any case.
std::optional<JournalFsync> parse_journal_fsync(std::string_view text);
/// `preemptive` or `key`, any case.
std::optional<DispatchMode> parse_dispatch_mode(std::string_view text);

std::string_view yes_no(bool value);
std::string_view journal_fsync_name(JournalFsync fsync);
std::string_view dispatch_mode_name(DispatchMode mode);
std::string_view log_level_name(LogLevel level);
/// The shortest exact spelling: 65536 -> "64k", 3 << 30 -> "3g", 1000 -> "1000".
std::string format_size(std::uint64_t bytes);

}  // namespace tasq::config::detail
