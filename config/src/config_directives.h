#pragma once
// A directive is one row of the table in config_directives.cpp: its name,
// default, bounds, flags, help text, and the adapter that says where in
// Config it lands and how its text is read and shown. The file reader, the
// command line, the defaults of Config, --help, CONFIG GET and the
// single-value checks of validate() are all driven by the rows.

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tasq/config/config.h"

namespace tasq::config::detail {

/// `max` of a directive without an upper bound.
inline constexpr std::uint64_t kNoMax = std::numeric_limits<std::uint64_t>::max();

enum Flag : unsigned {
  /// Each occurrence adds a value (listen, cron, reload_watch). The values
  /// of one source (the file, or the command line) replace the default and
  /// those of the file. The adapter decides it (a list field); the row says
  /// it so that it reads off the table, and a mismatch does not compile.
  kRepeatable = 1u << 0,
  /// Never shown: left out of CONFIG GET.
  kSecret = 1u << 1,
};

/// What a table row spells out, with designated initializers in this order.
struct Row {
  std::string_view name = {};
  std::string_view group = {};  ///< --help section; rows of a group stay together
  std::string_view arg = {};    ///< value placeholder in --help
  /// The default as a config line spells it, and as --help shows it. Empty:
  /// the field's zero value (an empty string or list, 0), shown as nothing.
  std::string_view default_value = {};
  /// For a default that depends on the host: gives the text to apply, and
  /// default_value is then only what --help shows ("CPU count").
  std::string (*compute_default)() = nullptr;
  /// Bounds of a number (bytes, count, seconds or milliseconds), checked by
  /// validate(). Only numeric adapters take them.
  std::uint64_t min = 0;
  std::uint64_t max = kNoMax;
  unsigned flags = 0;
  /// A rule on this directive's value alone beyond its bounds; returns one
  /// line per problem, without the directive's name (validate() adds it).
  std::vector<std::string> (*check)(const Config&) = nullptr;
  std::string_view help = {};
};

/// Numbers are sizes (shown in --help and bound messages with k/m/g as
/// well) or plain (counts, seconds, milliseconds).
enum class NumberKind : std::uint8_t { none, size, plain };

/// A row and its adapter's functions.
struct Directive : Row {
  /// Reads one value into the config; returns what is wrong ("not a size"),
  /// or an empty string. Bounds are not checked here but by validate().
  std::string (*set)(Config&, const std::string&) = nullptr;
  /// The current value as CONFIG GET shows it.
  std::string (*get)(const Config&) = nullptr;
  /// Repeatable directives: empties the field before a source's values.
  void (*clear)(Config&) = nullptr;
  /// Numeric directives: the value, or nullopt when it is negative.
  std::optional<std::uint64_t> (*number)(const Config&) = nullptr;
  NumberKind number_kind = NumberKind::none;

  [[nodiscard]] bool repeatable() const { return (flags & kRepeatable) != 0; }
  [[nodiscard]] bool secret() const { return (flags & kSecret) != 0; }
};

/// Every directive, in --help (and CONFIG GET) order.
std::span<const Directive> directives();
/// The directive called `name` (lowercase), or nullptr.
const Directive* find_directive(std::string_view name);

/// The --help text: the usage, then every directive by group with its
/// default and bounds, then the other options.
std::string help_text();

/// The problems with `directive`'s value in `config` against its bounds and
/// its check, each line starting with the directive's name.
void check_directive(const Directive& directive, const Config& config,
                     std::vector<std::string>& problems);

}  // namespace tasq::config::detail
