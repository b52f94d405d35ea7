#include "config_values.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <thread>

namespace tasq::config::detail {
namespace {

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

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

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

std::string_view yes_no(bool value) { return value ? "yes" : "no"; }

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

std::string_view to_string(LogLevel level) {
  auto index = static_cast<std::size_t>(level);
  return index < detail::kLogLevelNames.size() ? detail::kLogLevelNames[index] : "info";
}

}  // namespace tasq::config
