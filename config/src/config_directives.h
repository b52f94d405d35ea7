#pragma once
// The table of directives: the one place that knows each directive's name,
// help text and how its value is read and shown. The options description,
// the config file reader, --help and CONFIG GET are all built from it.

#include <span>
#include <string>
#include <string_view>

#include "tasq/config/config.h"

namespace tasq::config::detail {

inline constexpr std::string_view kDefaultInMeaning = "-";

struct Directive {
  std::string_view name;
  std::string_view group;  ///< --help section
  std::string_view arg;    ///< value placeholder in --help
  std::string_view meaning;
  /// Default shown by --help when it is not simply the value of Config{};
  /// kDefaultInMeaning when the meaning says it.
  std::string_view default_text;
  /// Reads one value into the config; returns what is wrong ("not a size"),
  /// or an empty string.
  std::string (*set)(Config&, const std::string&);
  /// Shows the current value; `human` spells sizes with suffixes (for --help).
  std::string (*get)(const Config&, bool human);
  /// For repeatable directives: empties the field before the values are set.
  void (*clear)(Config&) = nullptr;

  [[nodiscard]] bool repeatable() const { return clear != nullptr; }
};

/// Every directive, in --help order.
std::span<const Directive> directives();
/// The directive called `name`, or nullptr.
const Directive* find_directive(std::string_view name);

}  // namespace tasq::config::detail
