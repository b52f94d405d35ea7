#include "config_values.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <limits>
#include <thread>

namespace tasq::config::detail {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// Shift for a size suffix: "" -> 0, "k"/"kb" -> 10, ... ; nullopt for others.
std::optional<unsigned> suffix_shift(std::string_view suffix) {
  struct Unit {
    std::string_view short_name, long_name;
    unsigned shift;
  };
  static constexpr std::array<Unit, 3> units{{{"k", "kb", 10}, {"m", "mb", 20}, {"g", "gb", 30}}};
  if (suffix.empty()) return 0u;
  for (const auto& unit : units) {
    if (iequals(suffix, unit.short_name) || iequals(suffix, unit.long_name)) return unit.shift;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::uint64_t> parse_count(std::string_view text) {
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text.front()))) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<bool> parse_yes_no(std::string_view text) {
  if (iequals(text, "yes")) return true;
  if (iequals(text, "no")) return false;
  return std::nullopt;
}

std::optional<LogLevel> parse_log_level(std::string_view text) {
  for (auto level : {LogLevel::debug, LogLevel::info, LogLevel::warn, LogLevel::error}) {
    if (iequals(text, log_level_name(level))) return level;
  }
  return std::nullopt;
}

std::optional<JournalFsync> parse_journal_fsync(std::string_view text) {
  for (auto fsync : {JournalFsync::always, JournalFsync::everysec, JournalFsync::no}) {
    if (iequals(text, journal_fsync_name(fsync))) return fsync;
  }
  return std::nullopt;
}

std::optional<DispatchMode> parse_dispatch_mode(std::string_view text) {
  for (auto mode : {DispatchMode::preemptive, DispatchMode::key}) {
    if (iequals(text, dispatch_mode_name(mode))) return mode;
  }
  return std::nullopt;
}

std::string_view yes_no(bool value) { return value ? "yes" : "no"; }

std::string_view journal_fsync_name(JournalFsync fsync) {
  switch (fsync) {
    case JournalFsync::always:
      return "always";
    case JournalFsync::everysec:
      return "everysec";
    case JournalFsync::no:
      return "no";
  }
  return "everysec";
}

std::string_view dispatch_mode_name(DispatchMode mode) {
  return mode == DispatchMode::key ? "key" : "preemptive";
}

std::string_view log_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warn:
      return "warn";
    case LogLevel::error:
      return "error";
  }
  return "info";
}

std::string format_size(std::uint64_t bytes) {
  static constexpr std::array<std::pair<unsigned, char>, 3> units{
      {{30, 'g'}, {20, 'm'}, {10, 'k'}}};
  for (auto [shift, letter] : units) {
    std::uint64_t unit = std::uint64_t{1} << shift;
    if (bytes != 0 && bytes % unit == 0) return std::to_string(bytes / unit) + letter;
  }
  return std::to_string(bytes);
}

}  // namespace tasq::config::detail

namespace tasq::config {

std::optional<std::uint64_t> parse_size(std::string_view text) {
  auto digits_end = std::find_if(text.begin(), text.end(), [](char c) {
    return !std::isdigit(static_cast<unsigned char>(c));
  });
  auto digits = text.substr(0, static_cast<std::size_t>(digits_end - text.begin()));
  auto number = detail::parse_count(digits);
  auto shift = detail::suffix_shift(text.substr(digits.size()));
  if (!number || !shift) return std::nullopt;
  if (*number > (std::numeric_limits<std::uint64_t>::max() >> *shift)) return std::nullopt;
  return *number << *shift;
}

std::uint32_t default_task_worker_num() {
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace tasq::config

namespace tasq::config {

std::string_view to_string(LogLevel level) { return detail::log_level_name(level); }

}  // namespace tasq::config
