#pragma once
// The adapters a table row names to say where its value lands: one per kind
// of Config field (Size<&Config::ring_size_bytes>, Count<...>, ...), each
// reading the text of one value into the field and showing it back, and
// row<Adapter>({...}) that makes the row a Directive.

#include <chrono>
#include <limits>
#include <span>
#include <string>
#include <type_traits>

#include "config_directives.h"
#include "config_values.h"

namespace tasq::config::detail {

/// Sizes: bytes, or a number with k, m or g. CONFIG GET shows bytes.
template <std::uint64_t Config::*Field>
struct Size {
  static constexpr bool kRepeatable = false;
  static constexpr NumberKind kNumber = NumberKind::size;
  static std::string set(Config& config, const std::string& value) {
    auto bytes = parse_size(value);
    if (!bytes) return "not a size (bytes, or a number with k, m or g)";
    config.*Field = *bytes;
    return {};
  }
  static std::string get(const Config& config) { return std::to_string(config.*Field); }
  static std::optional<std::uint64_t> number(const Config& config) { return config.*Field; }
};

/// Counts: a non-negative integer that fits the field's type.
template <auto Field>
struct Count {
  using T = std::remove_cvref_t<decltype(std::declval<Config&>().*Field)>;
  static_assert(std::is_unsigned_v<T>);
  static constexpr bool kRepeatable = false;
  static constexpr NumberKind kNumber = NumberKind::plain;
  static std::string set(Config& config, const std::string& value) {
    auto number = parse_count(value);
    if (!number) return "not a non-negative integer";
    if (*number > std::numeric_limits<T>::max()) return "too large";
    config.*Field = static_cast<T>(*number);
    return {};
  }
  static std::string get(const Config& config) { return std::to_string(config.*Field); }
  static std::optional<std::uint64_t> number(const Config& config) { return config.*Field; }
};

/// Durations in whole seconds or milliseconds, as the field's type says.
template <auto Field>
struct Duration {
  using T = std::remove_cvref_t<decltype(std::declval<Config&>().*Field)>;
  static_assert(std::is_same_v<T, std::chrono::seconds> ||
                std::is_same_v<T, std::chrono::milliseconds>);
  static constexpr bool kRepeatable = false;
  static constexpr NumberKind kNumber = NumberKind::plain;
  static std::string set(Config& config, const std::string& value) {
    auto number = parse_count(value);
    if (!number) {
      return std::is_same_v<T, std::chrono::seconds> ? "not a whole number of seconds"
                                                     : "not a whole number of milliseconds";
    }
    if (*number > static_cast<std::uint64_t>(std::numeric_limits<typename T::rep>::max())) {
      return "too large";
    }
    config.*Field = T(static_cast<typename T::rep>(*number));
    return {};
  }
  static std::string get(const Config& config) { return std::to_string((config.*Field).count()); }
  // Negative only when set in code, never from text.
  static std::optional<std::uint64_t> number(const Config& config) {
    auto count = (config.*Field).count();
    if (count < 0) return std::nullopt;
    return static_cast<std::uint64_t>(count);
  }
};

/// Switches: yes or no.
template <bool Config::*Field>
struct YesNo {
  static constexpr bool kRepeatable = false;
  static constexpr NumberKind kNumber = NumberKind::none;
  static std::string set(Config& config, const std::string& value) {
    auto flag = parse_yes_no(value);
    if (!flag) return "must be yes or no";
    config.*Field = *flag;
    return {};
  }
  static std::string get(const Config& config) { return std::string(yes_no(config.*Field)); }
};

/// Text taken as written (rules on it go in the row's check).
template <std::string Config::*Field>
struct Text {
  static constexpr bool kRepeatable = false;
  static constexpr NumberKind kNumber = NumberKind::none;
  static std::string set(Config& config, const std::string& value) {
    config.*Field = value;
    return {};
  }
  static std::string get(const Config& config) { return config.*Field; }
};

/// A file mode in octal (unixsocketperm), 0 to 777, with or without a
/// leading 0, as Redis reads it; empty leaves it unset. CONFIG GET shows it
/// in octal, as Redis does.
template <std::optional<std::uint32_t> Config::*Field>
struct OctalMode {
  static constexpr bool kRepeatable = false;
  static constexpr NumberKind kNumber = NumberKind::none;
  static std::string set(Config& config, const std::string& value) {
    if (value.empty()) {
      (config.*Field).reset();
      return {};
    }
    std::uint32_t mode = 0;
    for (char digit : value) {
      if (digit < '0' || digit > '7') return "not an octal mode (like 700 or 0770)";
      mode = mode * 8 + static_cast<std::uint32_t>(digit - '0');
      if (mode > 0777) return "must be at most 777 (octal)";
    }
    config.*Field = mode;
    return {};
  }
  static std::string get(const Config& config) {
    if (!(config.*Field)) return {};
    std::string out;
    std::uint32_t mode = *(config.*Field);
    do {
      out.insert(out.begin(), static_cast<char>('0' + mode % 8));
      mode /= 8;
    } while (mode != 0);
    return out;
  }
};

/// Repeatable text (cron, reload_watch): one entry per occurrence. CONFIG
/// GET shows one line per entry, as the file would repeat them.
template <std::vector<std::string> Config::*Field>
struct Lines {
  static constexpr bool kRepeatable = true;
  static constexpr NumberKind kNumber = NumberKind::none;
  static std::string set(Config& config, const std::string& value) {
    if (value.empty()) return "empty";
    (config.*Field).push_back(value);
    return {};
  }
  static std::string get(const Config& config) {
    std::string out;
    for (const auto& line : config.*Field) {
      if (!out.empty()) out += '\n';
      out += line;
    }
    return out;
  }
  static void clear(Config& config) { (config.*Field).clear(); }
};

/// "must be a, b or c" for `names`.
std::string must_be_one_of(std::span<const std::string_view> names);

/// Enums: one of `Names`, the spellings of the enum's values in order.
template <auto Field, const auto& Names>
struct Choice {
  using T = std::remove_cvref_t<decltype(std::declval<Config&>().*Field)>;
  static_assert(std::is_enum_v<T>);
  static constexpr bool kRepeatable = false;
  static constexpr NumberKind kNumber = NumberKind::none;
  static std::string set(Config& config, const std::string& value) {
    for (std::size_t i = 0; i < Names.size(); ++i) {
      if (iequals(value, Names[i])) {
        config.*Field = static_cast<T>(i);
        return {};
      }
    }
    return must_be_one_of(Names);
  }
  static std::string get(const Config& config) {
    auto index = static_cast<std::size_t>(config.*Field);
    return index < Names.size() ? std::string(Names[index]) : std::string();
  }
};

/// listen: repeatable endpoints, shown joined by spaces.
struct Listen {
  static constexpr bool kRepeatable = true;
  static constexpr NumberKind kNumber = NumberKind::none;
  static std::string set(Config& config, const std::string& value);
  static std::string get(const Config& config);
  static void clear(Config& config);
};

/// True for an IPv4 or IPv6 address literal.
bool is_ip_literal(const std::string& host);

/// An address tasqd binds a socket to, or `none`: HOST:PORT or [v6]:PORT on
/// an IP address or localhost (never resolved). `UnixRefusal` says why a
/// unix: path does not do ("the admin port is UDP").
template <std::optional<Endpoint> Config::*Field, const std::string_view& UnixRefusal>
struct AddressOrNone {
  static constexpr bool kRepeatable = false;
  static constexpr NumberKind kNumber = NumberKind::none;
  static std::string set(Config& config, const std::string& value) {
    if (value == "none") {
      (config.*Field).reset();
      return {};
    }
    std::string why;
    auto endpoint = parse_endpoint(value, &why);
    if (!endpoint) return why;
    if (endpoint->kind == Endpoint::Kind::unix_socket) {
      return std::string(UnixRefusal) + ": use HOST:PORT or none";
    }
    if (endpoint->host != "localhost" && !is_ip_literal(endpoint->host)) {
      return "HOST must be an IP address or localhost";
    }
    config.*Field = std::move(*endpoint);
    return {};
  }
  static std::string get(const Config& config) {
    return config.*Field ? (config.*Field)->text : "none";
  }
};

/// The row made a Directive with `Adapter`'s functions. Evaluated at compile
/// time for the table, so a row whose flags or bounds do not fit its
/// adapter stops the build at the throw.
template <class Adapter>
constexpr Directive row(const Row& spelled) {
  if (Adapter::kRepeatable != ((spelled.flags & kRepeatable) != 0)) {
    throw "kRepeatable must be given exactly for list fields (Lines, Listen)";
  }
  if (Adapter::kNumber == NumberKind::none && (spelled.min != 0 || spelled.max != kNoMax)) {
    throw "min and max are for numeric adapters (Size, Count, Duration)";
  }
  if (spelled.min > spelled.max) throw "min is above max";
  Directive directive;
  static_cast<Row&>(directive) = spelled;
  directive.set = &Adapter::set;
  directive.get = &Adapter::get;
  if constexpr (Adapter::kRepeatable) directive.clear = &Adapter::clear;
  if constexpr (Adapter::kNumber != NumberKind::none) directive.number = &Adapter::number;
  directive.number_kind = Adapter::kNumber;
  return directive;
}

}  // namespace tasq::config::detail
